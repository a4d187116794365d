package dev.tandem.bench.fuzz;

import dev.tandem.bench.load.ServerProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The fuzzer's command line: a {@link FuzzRun} against a running server ({@code --url}) or against
 * the server jar started as a child process on a data directory of its own, whose log must then
 * hold no ERROR line and no OutOfMemoryError. The child runs with {@code --bad-message-limit=1000}
 * unless other flags are given: with the default of 10, a socket is closed (1008) before most of
 * the fuzzer's windows end, and the run would spend its time on handshakes. See {@link #USAGE} and
 * docs/testing.md.
 */
public final class Fuzz {
  static final String USAGE =
      """
      usage: java -cp bench/target/benchmarks.jar dev.tandem.bench.fuzz.Fuzz [options] [-- server flags]
        --messages N        hostile WebSocket messages and REST requests to process (1000000)
        --seed N            replays a run's inputs (default: the clock; printed)
        --sockets N         WebSocket sessions at once (8)
        --rest-workers N    REST requests at once (3)
        --control-docs N    control documents, two honest editors each (2)
        --max-seconds N     give up (and fail) after this long (3600)
        --url http://h:p/   a running server (else the server jar runs as a child process)
        --server-jar PATH   (sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar)
        --data-dir PATH     the child's data directory (default: a fresh one, deleted after)
        -- FLAGS            flags for the child server (--bad-message-limit=1000)
      Exits 0 if nothing was found, 1 otherwise.
      """;

  /** A parsed command line. {@code url} null: start the server jar. */
  record Command(
      FuzzRun.Options options, URI url, Path serverJar, Path dataDir, List<String> serverFlags) {}

  private Fuzz() {}

  public static void main(String[] args) throws Exception {
    Command command;
    try {
      command = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("fuzz: " + e.getMessage() + "\n\n" + USAGE);
      System.exit(2);
      return;
    }
    System.out.println("fuzz seed " + command.options().seed());
    FuzzResult result = run(command);
    System.out.print(result.report());
    System.exit(result.passed() ? 0 : 1); // the JDK's HTTP client may keep non-daemon threads
  }

  /** Runs the command; with a child server, adds what its log shows to the result's failures. */
  static FuzzResult run(Command command) throws Exception {
    if (command.url() != null) {
      return FuzzRun.run(command.options());
    }
    boolean ownDataDir = command.dataDir() == null;
    Path dataDir = ownDataDir ? ServerProcess.freshDataDirectory() : command.dataDir();
    Files.createDirectories(dataDir);
    Path log = dataDir.resolve("server.log");
    long logStart = Files.exists(log) ? Files.size(log) : 0;
    try (ServerProcess server =
        ServerProcess.start(command.serverJar(), dataDir, List.of(), command.serverFlags())) {
      FuzzRun.Options options = command.options();
      FuzzResult result =
          FuzzRun.run(
              new FuzzRun.Options(
                  server.httpUri(),
                  options.seed(),
                  options.messages(),
                  options.sockets(),
                  options.restWorkers(),
                  options.controlDocuments(),
                  options.maxDuration()));
      return withLog(result, log, logStart);
    } finally {
      if (ownDataDir) {
        ServerProcess.deleteRecursively(dataDir);
      }
    }
  }

  /** ERROR lines and OutOfMemoryError in the child's log (from {@code from} on) are failures. */
  private static FuzzResult withLog(FuzzResult result, Path log, long from) throws IOException {
    String text = Files.readString(log);
    text = text.substring((int) Math.min(from, text.length()));
    List<String> found = new ArrayList<>();
    long count = 0;
    for (String line : text.lines().toList()) {
      if (line.contains(" ERROR ") || line.contains("OutOfMemoryError")) {
        count++;
        if (found.size() < 5) {
          found.add("server log: " + (line.length() > 300 ? line.substring(0, 300) : line));
        }
      }
    }
    if (count == 0) {
      return result;
    }
    List<String> failures = new ArrayList<>(result.failures());
    failures.add(count + " ERROR lines in " + log + "; the first:");
    failures.addAll(found);
    return new FuzzResult(
        result.seed(),
        result.webSocketMessagesProcessed(),
        result.webSocketMessagesSent(),
        result.restRequests(),
        result.webSocketSessions(),
        result.closeCodes(),
        result.errorCodes(),
        result.httpStatuses(),
        withLogKind(result.failureKinds()),
        result.honestEdits(),
        result.honestAcks(),
        result.fuzzSeconds(),
        result.totalSeconds(),
        result.failureCount() + 1,
        failures);
  }

  private static Map<String, Long> withLogKind(Map<String, Long> kinds) {
    Map<String, Long> all = new TreeMap<>(kinds);
    all.merge("server log", 1L, Long::sum);
    return all;
  }

  static Command parse(String[] args) {
    long messages = 1_000_000;
    long seed = System.nanoTime();
    int sockets = 8;
    int restWorkers = 3;
    int controlDocs = 2;
    long maxSeconds = 3600;
    URI url = null;
    Path serverJar = Path.of("sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar");
    Path dataDir = null;
    List<String> serverFlags = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        serverFlags.addAll(List.of(args).subList(i + 1, args.length));
        break;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(arg + " needs a value");
      }
      String value = args[++i];
      try {
        switch (arg) {
          case "--messages" -> messages = Long.parseLong(value);
          case "--seed" -> seed = Long.parseLong(value);
          case "--sockets" -> sockets = Integer.parseInt(value);
          case "--rest-workers" -> restWorkers = Integer.parseInt(value);
          case "--control-docs" -> controlDocs = Integer.parseInt(value);
          case "--max-seconds" -> maxSeconds = Long.parseLong(value);
          case "--url" -> url = URI.create(value.endsWith("/") ? value : value + "/");
          case "--server-jar" -> serverJar = Path.of(value);
          case "--data-dir" -> dataDir = Path.of(value);
          default -> throw new IllegalArgumentException("unknown option " + arg);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(arg + " " + value + " (expected an integer)");
      }
    }
    if (serverFlags.isEmpty()) {
      serverFlags.add("--bad-message-limit=1000");
    }
    if (messages < 1 || sockets < 1 || restWorkers < 0 || controlDocs < 1 || maxSeconds < 1) {
      throw new IllegalArgumentException("counts must be positive (rest workers may be 0)");
    }
    return new Command(
        new FuzzRun.Options(
            url, seed, messages, sockets, restWorkers, controlDocs, Duration.ofSeconds(maxSeconds)),
        url,
        serverJar,
        dataDir,
        List.copyOf(serverFlags));
  }
}
