package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The server's packages depend on each other only downwards, in the order docs/architecture.md
 * lists them, so there is no cycle between them. Read from the compiled classes by the JDK's {@code
 * jdeps}.
 */
class PackageLayoutTest {
  /** Bottom first: a package may depend only on those before it ("" is the root package). */
  private static final List<String> LAYERS =
      List.of(
          "error",
          "protocol",
          "auth",
          "config",
          "metrics",
          "document",
          "archive",
          "server",
          "ws",
          "rest",
          "cli",
          "");

  private static final String ROOT = "dev.tandem.sequencer";
  private static final Pattern EDGE =
      Pattern.compile(
          "^\\s+(dev\\.tandem\\.sequencer\\S*)\\s+->\\s+(dev\\.tandem\\.sequencer\\S*)\\s");

  @Test
  void packagesDependOnlyOnThoseBelowThem() throws Exception {
    ToolProvider jdeps =
        ToolProvider.findFirst("jdeps")
            .orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
    Path classes =
        Path.of(TandemServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    StringWriter out = new StringWriter();
    int status =
        jdeps.run(
            new PrintWriter(out),
            new PrintWriter(out),
            "-verbose:package",
            "--ignore-missing-deps",
            classes.toString());
    assertEquals(0, status, out.toString());

    TreeSet<String> packages = new TreeSet<>();
    List<String> upward = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      Matcher edge = EDGE.matcher(line);
      if (!edge.find()) {
        continue;
      }
      String from = layer(edge.group(1));
      String to = layer(edge.group(2));
      packages.add(from);
      packages.add(to);
      if (!from.equals(to) && LAYERS.indexOf(to) >= LAYERS.indexOf(from)) {
        upward.add(edge.group(1) + " -> " + edge.group(2));
      }
    }
    assertEquals(new TreeSet<>(LAYERS), packages, "a package the layout (and the doc) must place");
    assertTrue(upward.isEmpty(), "dependencies up the layout: " + upward);
  }

  /** The top-level package under {@code dev.tandem.sequencer}, or "" for the root itself. */
  private static String layer(String pkg) {
    if (pkg.equals(ROOT)) {
      return "";
    }
    String rest = pkg.substring(ROOT.length() + 1);
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }
}
