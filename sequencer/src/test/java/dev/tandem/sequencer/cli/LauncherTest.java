package dev.tandem.sequencer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/tandem} as a real process: an installation laid out as the distribution's ({@code
 * bin/tandem}, {@code lib/*.jar}, here the test class path's jars and this module's classes as a
 * jar), a server started by it, the data directory refused to a second process while the server
 * holds it, commands against the server, SIGTERM to the launcher's process reaching the JVM (it
 * execs java) for a graceful shutdown (which writes the class-data-sharing archive the next serve
 * maps), then the stopped database.
 */
class LauncherTest {
  private static final Pattern LISTENING = Pattern.compile("Tandem listening on (http://\\S+/)");

  @Test
  void theLauncherRunsTheServerAndTheCommandsAndPassesSigtermOn() throws Exception {
    Path home = installation();
    Path tandem = home.resolve("bin/tandem");
    Path data = EmbeddedPostgresExtension.dataDirectory("launcher-test-data");
    Files.createDirectories(data);
    String doc = EmbeddedPostgresExtension.freshDocId("launcher");

    Process server =
        new ProcessBuilder(
                tandem.toString(), "serve", "--port=0", "--static-dir=", "--data-dir=" + data)
            .redirectErrorStream(true)
            .start();
    try {
      List<String> output = new ArrayList<>();
      CompletableFuture<Void> ended = new CompletableFuture<>();
      URI uri = awaitListening(server, output, ended);
      // exec: the launcher's process is the JVM itself, so signals reach the server.
      assertTrue(
          server.info().command().orElse("").endsWith("java"), server.info().command().toString());

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> created =
          http.send(
              HttpRequest.newBuilder(uri.resolve("api/docs/" + doc))
                  .header("Content-Type", "application/json")
                  .PUT(HttpRequest.BodyPublishers.ofString("{\"text\":\"launched\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, created.statusCode(), created.body());

      Result inUse = run(tandem, "docs", "--data-dir=" + data);
      assertEquals(1, inUse.status(), inUse.output());
      assertTrue(inUse.output().contains("is in use by another process"), inUse.output());

      Result verified = run(tandem, "verify", doc, "--server=" + uri);
      assertEquals(0, verified.status(), verified.output());
      assertTrue(verified.output().contains(doc + ": ok (revision 0"), verified.output());

      server.toHandle().destroy(); // SIGTERM (Process.destroy would close our end of its output)
      assertTrue(server.waitFor(60, TimeUnit.SECONDS), "the server stops on SIGTERM");
      ended.get(10, TimeUnit.SECONDS);
      String log;
      synchronized (output) {
        log = String.join("\n", output);
      }
      assertTrue(log.contains("stopped"), "exit " + server.exitValue() + ": " + log);
      // The first serve of an installation writes its class-data-sharing archive as it exits.
      Path archive = home.resolve("lib/tandem-serve.jsa");
      assertTrue(Files.isRegularFile(archive) && Files.size(archive) > 0, archive + " written");
    } finally {
      server.destroyForcibly();
    }

    // serve's settings through the launcher: help from the options, a bad one refused in a line
    Result help = run(tandem, "serve", "--help");
    assertEquals(0, help.status(), help.output());
    assertTrue(help.output().contains("--port=PORT"), help.output());
    assertTrue(help.output().contains("env TANDEM_PORT"), help.output());
    Result badPort = run(tandem, "serve", "--port=-1", "--data-dir=" + data);
    assertEquals(2, badPort.status(), badPort.output());
    assertEquals("tandem: port : -1 (expected: 0 to 65535)", badPort.output().strip());

    Result text = run(tandem, "text", doc, "--data-dir=" + data);
    assertEquals(0, text.status(), text.output());
    assertEquals("launched", text.output().strip());
    Result bad = run(tandem, "text", doc, "--rev=7", "--data-dir=" + data);
    assertEquals(1, bad.status(), bad.output());
    assertTrue(bad.output().contains("has no revision 7"), bad.output());
  }

  private record Result(int status, String output) {}

  private static Result run(Path tandem, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(tandem.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    CompletableFuture<String> output =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                return e.toString();
              }
            });
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "tandem " + String.join(" ", args));
    return new Result(process.exitValue(), output.get(10, TimeUnit.SECONDS));
  }

  private static URI awaitListening(
      Process server, List<String> output, CompletableFuture<Void> ended) throws Exception {
    CompletableFuture<URI> listening = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  synchronized (output) {
                    output.add(line);
                  }
                  Matcher matcher = LISTENING.matcher(line);
                  if (matcher.find()) {
                    listening.complete(URI.create(matcher.group(1)));
                  }
                }
              } catch (IOException e) {
                listening.completeExceptionally(e);
              }
              listening.completeExceptionally(new IllegalStateException("exited: " + output));
              ended.complete(null);
            },
            "launcher-test-output");
    reader.setDaemon(true);
    reader.start();
    return listening.get(120, TimeUnit.SECONDS);
  }

  /**
   * {@code target/launcher-test/}: {@code bin/tandem} from {@code src/dist}, and {@code lib/}
   * holding every jar of the test class path plus this module's classes as a jar.
   */
  private static Path installation() throws IOException {
    Path home = Path.of("target", "launcher-test").toAbsolutePath();
    Path lib = home.resolve("lib");
    Files.createDirectories(home.resolve("bin"));
    if (Files.exists(lib)) {
      try (Stream<Path> old = Files.list(lib)) {
        for (Path file : old.toList()) {
          Files.delete(file);
        }
      }
    }
    Files.createDirectories(lib);
    Path launcher = home.resolve("bin/tandem");
    Files.copy(Path.of("src/dist/bin/tandem"), launcher, StandardCopyOption.REPLACE_EXISTING);
    assertTrue(launcher.toFile().setExecutable(true));
    int n = 0;
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      Path target = lib.resolve(String.format("%03d-%s", n++, path.getFileName()));
      if (Files.isDirectory(path)) {
        jar(path, lib.resolve(target.getFileName() + ".jar"));
      } else if (entry.endsWith(".jar")) {
        Files.createSymbolicLink(target, path.toAbsolutePath());
      }
    }
    return home;
  }

  private static void jar(Path classes, Path jar) throws IOException {
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file);
        Stream<Path> files = Files.walk(classes)) {
      for (Path path : files.filter(Files::isRegularFile).toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(path).toString().replace('\\', '/')));
        Files.copy(path, out);
        out.closeEntry();
      }
    }
  }
}
