package dev.tandem.bench.load;

import dev.tandem.client.DocumentListener;
import dev.tandem.client.DocumentState;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TandemDocument;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long after a server restart a Java client has its document synced again, the Java twin of
 * client-js's {@code browser-test/measure-reconnect.js}. The server jar is stopped (SIGTERM) and
 * started again on the same port and data directory {@code runs} times, with outages of 2 to 6 s;
 * two clients have one document open all along, one with the reconnect cap of before (30 s) and one
 * with today's default (1 s), so both see the same restarts. Prints, per client, the time from the
 * server's "listening" line to the document's {@code SYNCED} state, and the medians.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar dev.tandem.bench.load.ReconnectTime [runs] [server
 * jar]}
 */
public final class ReconnectTime {
  private static final String DOC = "measure-reconnect";

  private ReconnectTime() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Path jar =
        Path.of(args.length > 1 ? args[1] : "sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar");
    Path dataDir = ServerProcess.freshDataDirectory();
    int port = freePort();
    ServerProcess server = ServerProcess.start(jar, dataDir, port, List.of(), List.of());
    Map<String, Watched> clients = new LinkedHashMap<>();
    clients.put(
        "cap 30 s (before)",
        watch(
            TandemClient.builder(server.webSocketUri())
                .backoff(Duration.ofMillis(200), Duration.ofSeconds(30))));
    clients.put("cap 1 s (now)", watch(TandemClient.builder(server.webSocketUri())));
    Map<String, List<Long>> results = new LinkedHashMap<>();
    try {
      for (int run = 0; run < runs; run++) {
        server.stop();
        waitFor(() -> clients.values().stream().allMatch(w -> w.is(DocumentState.OFFLINE)));
        Thread.sleep(2000 + 1000L * run); // outages of 2–6 s
        server = ServerProcess.start(jar, dataDir, port, List.of(), List.of());
        long listening = server.listeningNanos();
        waitFor(() -> clients.values().stream().allMatch(w -> w.syncedSince(listening)));
        StringBuilder line = new StringBuilder("run " + (run + 1) + ":");
        for (var entry : clients.entrySet()) {
          long ms = TimeUnit.NANOSECONDS.toMillis(entry.getValue().syncedAt.get() - listening);
          results.computeIfAbsent(entry.getKey(), k -> new ArrayList<>()).add(ms);
          line.append(' ').append(entry.getKey()).append('=').append(ms).append(" ms");
        }
        System.out.println(line);
      }
      for (var entry : results.entrySet()) {
        List<Long> sorted = entry.getValue().stream().sorted().toList();
        System.out.printf(
            "%s: listening -> synced ms %s, median %d%n",
            entry.getKey(), entry.getValue(), sorted.get(sorted.size() / 2));
      }
    } finally {
      for (Watched watched : clients.values()) {
        watched.client.close();
      }
      server.close();
      ServerProcess.deleteRecursively(dataDir);
    }
    System.exit(0); // the JDK's HTTP client may keep non-daemon threads
  }

  /** A client with {@link #DOC} open and the time its document last became synced. */
  private record Watched(TandemClient client, TandemDocument doc, AtomicLong syncedAt) {
    boolean is(DocumentState state) {
      return doc.state() == state;
    }

    boolean syncedSince(long nanos) {
      return is(DocumentState.SYNCED) && syncedAt.get() > nanos;
    }
  }

  private static Watched watch(TandemClient.Builder builder) throws Exception {
    TandemClient client = builder.build();
    TandemDocument doc = client.open(DOC).get(60, TimeUnit.SECONDS);
    AtomicLong syncedAt = new AtomicLong(System.nanoTime());
    doc.addListener(
        new DocumentListener() {
          @Override
          public void onStateChange(DocumentState state) {
            if (state == DocumentState.SYNCED) {
              syncedAt.set(System.nanoTime());
            }
          }
        });
    return new Watched(client, doc, syncedAt);
  }

  private static void waitFor(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not reached within 2 minutes");
      }
      Thread.sleep(5);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
