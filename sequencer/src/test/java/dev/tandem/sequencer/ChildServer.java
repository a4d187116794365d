package dev.tandem.sequencer;

import dev.tandem.persistence.EmbeddedPostgresExtension;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's {@code main} in a child JVM (the test's own class path), with its own embedded
 * PostgreSQL under {@code target/}, so a test can SIGKILL it as a crash, start it again on the same
 * data directory and port, or give it a heap of its own. Every start's output is appended to {@code
 * <name>.log} next to the data directory, which {@link #output()} reads back.
 */
final class ChildServer implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("Tandem listening on (http://\\S+/)");
  private static final long START_TIMEOUT_SECONDS = 120;

  private final Path dataDir;
  private final Path log;
  private final List<String> jvmArgs;
  private final List<String> flags;
  private volatile Process process; // read by the shutdown hook too
  private URI httpUri;
  private int port; // 0 until the first start, then kept so clients find the server again
  private double secondsToListening;
  private boolean stopOnExit;
  private final long logStart; // the log is kept across runs: output() reads only this server's

  private ChildServer(Path dataDir, List<String> jvmArgs, List<String> flags) throws IOException {
    this.dataDir = dataDir;
    this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    this.logStart = Files.exists(log) ? Files.size(log) : 0;
    this.jvmArgs = List.copyOf(jvmArgs);
    this.flags = List.copyOf(flags);
  }

  /**
   * Starts a server on {@code target/<name>} (kept across runs, so only the first run pays for
   * initdb; give documents fresh ids) with these JVM arguments and server flags, on a free port.
   */
  static ChildServer start(String name, List<String> jvmArgs, List<String> flags)
      throws IOException {
    Path dataDir = EmbeddedPostgresExtension.dataDirectory(name);
    Files.createDirectories(dataDir);
    // PostgreSQL runs as nobody when the tests run as root: it must reach the directory.
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    ChildServer server = new ChildServer(dataDir, jvmArgs, flags);
    server.start();
    return server;
  }

  /** Starts the server again after {@link #kill} or {@link #stop}: same data directory and port. */
  void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the server is running");
    }
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path")));
    command.add(TandemServer.class.getName());
    command.addAll(
        List.of(
            "--host=127.0.0.1",
            "--port=" + port,
            "--static-dir=",
            "--data-dir=" + dataDir,
            "--shutdown-grace-seconds=5"));
    command.addAll(flags);
    long startNanos = System.nanoTime();
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!stopOnExit) { // a test JVM that ends early leaves no server (nor its PostgreSQL) behind
      Runtime.getRuntime().addShutdownHook(new Thread(this::stopQuietly, "child-server-stop"));
      stopOnExit = true;
    }
    CompletableFuture<String> listening = new CompletableFuture<>();
    Process started = process;
    Thread reader = new Thread(() -> copyOutput(started, listening), "child-server-output");
    reader.setDaemon(true);
    reader.start();
    try {
      httpUri = URI.create(listening.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS));
      port = httpUri.getPort();
      secondsToListening = (System.nanoTime() - startNanos) / 1e9;
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      throw new IOException("the server did not start (see " + log + ")", e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the server started", e);
    }
  }

  URI httpUri() {
    return httpUri;
  }

  URI webSocketUri() {
    return URI.create(httpUri.toString().replaceFirst("^http", "ws") + "ws");
  }

  /** From the last start's process launch to its "listening" line, in seconds. */
  double secondsToListening() {
    return secondsToListening;
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL, as a crash; its embedded PostgreSQL is left running for the next start to find. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /** SIGSTOP: the process stops where it is (a long GC pause, a frozen VM), sockets and all. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}: it runs on as if nothing happened. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    int exit =
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start().waitFor();
    if (exit != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " exited with " + exit);
    }
  }

  /** SIGTERM, the graceful shutdown (which also stops PostgreSQL); waits until it has ended. */
  void stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }

  /** Everything every start of this server wrote so far, stdout and stderr; no earlier run's. */
  String output() throws IOException {
    byte[] all = Files.readAllBytes(log);
    return new String(all, (int) logStart, all.length - (int) logStart, StandardCharsets.UTF_8);
  }

  private void stopQuietly() {
    try {
      close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (isAlive()) {
      stop();
    }
  }

  private void copyOutput(Process child, CompletableFuture<String> listening) {
    try (BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        Writer out =
            Files.newBufferedWriter(
                log,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
      out.write("---- start of pid " + child.pid() + "\n");
      String line;
      while ((line = lines.readLine()) != null) {
        Matcher matcher = LISTENING.matcher(line);
        if (!listening.isDone() && matcher.find()) {
          listening.complete(matcher.group(1));
        }
        out.write(line);
        out.write('\n');
        out.flush();
      }
      listening.completeExceptionally(new IOException("the server exited: " + child.waitFor()));
    } catch (IOException e) {
      listening.completeExceptionally(new UncheckedIOException(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
