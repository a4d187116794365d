package dev.tandem.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The server under load: either a child process this run started on a fresh data directory (its CPU
 * and memory are then known), or a running server given by URL (and optionally its pid).
 */
final class Target implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI webSocketUri;
  private final URI httpUri;
  private final long pid;
  private final ServerProcess process;
  private final Path ownDataDir;
  private final HttpClient http = HttpClient.newHttpClient();

  private Target(URI webSocketUri, long pid, ServerProcess process, Path ownDataDir) {
    this.webSocketUri = webSocketUri;
    this.httpUri =
        URI.create(webSocketUri.toString().replaceFirst("^ws", "http").replaceFirst("ws$", ""));
    this.pid = pid;
    this.process = process;
    this.ownDataDir = ownDataDir;
  }

  /** A running server; {@code pid} is -1 if unknown. */
  static Target running(URI webSocketUri, long pid) {
    return new Target(webSocketUri, pid, null, null);
  }

  /** Starts the server jar on a fresh data directory, deleted again by {@link #close}. */
  static Target spawn(Path jar, List<String> jvmArgs) throws IOException {
    Path dataDir = ServerProcess.freshDataDirectory();
    ServerProcess process = ServerProcess.start(jar, dataDir, jvmArgs);
    return new Target(process.webSocketUri(), process.pid(), process, dataDir);
  }

  URI webSocketUri() {
    return webSocketUri;
  }

  /** The server's CPU and memory so far, if its pid is known. */
  Optional<ProcessUsage> usage() {
    return pid > 0 ? Optional.of(ProcessUsage.of(pid)) : Optional.empty();
  }

  /** CPU seconds so far of the server JVM's JIT compiler threads, if its pid is known. */
  OptionalDouble compilerCpuSeconds() {
    return pid > 0
        ? OptionalDouble.of(ProcessUsage.compilerCpuSeconds(pid))
        : OptionalDouble.empty();
  }

  /** The server's live heap after a full collection (jcmd), if its pid is known. */
  Optional<Long> heapUsedAfterGc() throws IOException, InterruptedException {
    return pid > 0 ? Optional.of(ServerProcess.heapUsedAfterGc(pid)) : Optional.empty();
  }

  /** CPU seconds of the server's embedded PostgreSQL, if this run started the server. */
  OptionalDouble postgresCpuSeconds() {
    return process == null ? OptionalDouble.empty() : process.postgresCpuSeconds();
  }

  /** The head revision and text of a document, read over REST. */
  DocumentState document(String docId) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(httpUri.resolve("api/docs/" + docId))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + docId + ": " + response.statusCode() + " " + response.body());
    }
    JsonNode body = JSON.readTree(response.body());
    return new DocumentState(body.get("rev").longValue(), body.get("text").textValue());
  }

  record DocumentState(long revision, String text) {}

  /**
   * The server's group-commit counters from {@code /metrics}: ops committed and commit transactions
   * so far; empty if they cannot be read.
   */
  Optional<CommitCounters> commitCounters() {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(httpUri.resolve("metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return Optional.empty();
      }
      long ops = -1;
      long transactions = -1;
      for (String line : response.body().split("\n")) {
        if (line.startsWith("tandem_ops_committed_total ")) {
          ops = sampleValue(line);
        } else if (line.startsWith("tandem_commit_transactions_total ")) {
          transactions = sampleValue(line);
        }
      }
      return ops < 0 || transactions < 0
          ? Optional.empty()
          : Optional.of(new CommitCounters(ops, transactions));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * The value of a sample line: a whole number, written {@code 12} or (by Micrometer) {@code 12.0}.
   */
  private static long sampleValue(String line) {
    return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
  }

  record CommitCounters(long ops, long transactions) {}

  @Override
  public void close() throws IOException, InterruptedException {
    if (process != null) {
      process.close();
      ServerProcess.deleteRecursively(ownDataDir);
    }
  }
}
