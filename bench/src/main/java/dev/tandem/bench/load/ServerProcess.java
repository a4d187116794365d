package dev.tandem.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The server jar run as a child process, the way a user runs it ({@code java -jar}, default
 * settings, the embedded PostgreSQL), on a data directory of its own; its output goes to {@code
 * server.log} in that directory. Being a separate process, its CPU time and memory can be read from
 * {@code /proc} apart from the load generator's.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("Tandem listening on (http://\\S+/)");

  private final Process process;
  private final long startNanos;
  private final long listeningNanos;
  private final URI httpUri;
  private final Path dataDir;

  private ServerProcess(
      Process process, long startNanos, long listeningNanos, URI httpUri, Path dataDir) {
    this.process = process;
    this.dataDir = dataDir;
    this.startNanos = startNanos;
    this.listeningNanos = listeningNanos;
    this.httpUri = httpUri;
  }

  /**
   * Starts {@code java [jvmArgs] -jar jar} on a free port and {@code dataDir}, and returns once it
   * says it is listening.
   */
  public static ServerProcess start(Path jar, Path dataDir, List<String> jvmArgs)
      throws IOException {
    return start(jar, dataDir, jvmArgs, List.of());
  }

  /** {@link #start(Path, Path, List)} with more server flags after the defaults. */
  public static ServerProcess start(
      Path jar, Path dataDir, List<String> jvmArgs, List<String> serverFlags) throws IOException {
    return start(jar, dataDir, 0, jvmArgs, serverFlags);
  }

  /** {@link #start(Path, Path, List, List)} on {@code port} (0 picks a free one). */
  public static ServerProcess start(
      Path jar, Path dataDir, int port, List<String> jvmArgs, List<String> serverFlags)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmArgs);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(
        List.of(
            "--host",
            "127.0.0.1",
            "--port",
            Integer.toString(port),
            "--static-dir=",
            "--data-dir",
            dataDir.toString(),
            // Every generated socket comes from 127.0.0.1; a deployment's come from many addresses.
            "--max-connections-per-address",
            "0"));
    command.addAll(serverFlags);
    Writer log =
        Files.newBufferedWriter(
            dataDir.resolve("server.log"), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    long start = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<String> listening = new CompletableFuture<>();
    long[] listeningAt = new long[1];
    Thread reader =
        new Thread(
            () -> copyOutput(process, log, listening, listeningAt),
            "server-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    try {
      String url = listening.get(180, TimeUnit.SECONDS);
      return new ServerProcess(process, start, listeningAt[0], URI.create(url), dataDir);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IOException(
          "the server did not start (see " + dataDir.resolve("server.log") + ")", e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the server started", e);
    }
  }

  /** A new empty directory that PostgreSQL's {@code nobody} can reach when we run as root. */
  public static Path freshDataDirectory() throws IOException {
    return Files.createTempDirectory(
        "tandem-load-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
  }

  public static void deleteRecursively(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  public long pid() {
    return process.pid();
  }

  public URI httpUri() {
    return httpUri;
  }

  public URI webSocketUri() {
    return URI.create(httpUri.toString().replaceFirst("^http", "ws") + "ws");
  }

  /** From the process start to the server's "listening" line, in seconds. */
  double secondsToListening() {
    return (listeningNanos - startNanos) / 1e9;
  }

  /** The {@link System#nanoTime} at which the server said it was listening. */
  long listeningNanos() {
    return listeningNanos;
  }

  /** The {@link System#nanoTime} at which the process was started. */
  long startNanos() {
    return startNanos;
  }

  /**
   * CPU seconds of the embedded PostgreSQL: its postmaster (found by its {@code postmaster.pid},
   * for pg_ctl detaches it from the JVM) and the postmaster's children.
   */
  OptionalDouble postgresCpuSeconds() {
    try {
      String postmaster = Files.readAllLines(dataDir.resolve("postgres/postmaster.pid")).get(0);
      return OptionalDouble.of(ProcessUsage.treeCpuSeconds(Long.parseLong(postmaster.trim())));
    } catch (IOException | RuntimeException e) {
      return OptionalDouble.empty();
    }
  }

  /** Live heap after a full collection, in bytes, as {@code jcmd GC.heap_info} reports it. */
  static long heapUsedAfterGc(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    Matcher used =
        Pattern.compile("heap\\s+total \\d+K, used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
    if (!used.find()) {
      throw new IOException("cannot read the heap size from jcmd GC.heap_info");
    }
    return Long.parseLong(used.group(1)) * 1024;
  }

  /** SIGTERM: the graceful shutdown; waits until the process has ended. */
  public void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** SIGKILL, as a crash: the server's embedded PostgreSQL is left running. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      stop();
    }
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
    Process run =
        new ProcessBuilder(java.resolveSibling("jcmd").toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (run.waitFor() != 0) {
      throw new IOException("jcmd " + command + " failed: " + output);
    }
    return output;
  }

  private static void copyOutput(
      Process process, Writer log, CompletableFuture<String> listening, long[] listeningAt) {
    try (BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        log) {
      String line;
      while ((line = lines.readLine()) != null) {
        Matcher matcher = LISTENING.matcher(line);
        if (!listening.isDone() && matcher.find()) {
          listeningAt[0] = System.nanoTime();
          listening.complete(matcher.group(1));
        }
        log.write(line);
        log.write('\n');
        log.flush();
      }
      listening.completeExceptionally(new IOException("the server exited: " + process.waitFor()));
    } catch (IOException e) {
      listening.completeExceptionally(new UncheckedIOException(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
