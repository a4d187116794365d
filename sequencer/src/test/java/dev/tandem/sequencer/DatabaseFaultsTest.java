package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.client.ErrorCode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.persistence.PostgresProcesses;
import dev.tandem.sequencer.ClientHarness.Editor;
import dev.tandem.sequencer.config.TandemConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The server's own embedded PostgreSQL (a data directory of this test's, never the shared one)
 * fails under load from WebSocket editors and a REST writer: killed (SIGKILL of the postmaster) or
 * stalled (SIGSTOP of all its processes, then SIGCONT). Meanwhile writes are refused with the
 * retryable {@code unavailable} and {@code /healthz} and {@code /readyz} answer 503 with a reason;
 * afterwards the same server serves again without a restart, and every acknowledged op is in {@code
 * /ops} exactly once.
 */
class DatabaseFaultsTest {
  private static final long SEED = 1212L;
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Path directory = EmbeddedPostgresExtension.dataDirectory("faults-server-test");

  /** What disturbs the database, and what ends the disturbance (nothing for a kill). */
  private interface Fault {
    void begin() throws Exception;

    void end() throws Exception;

    /** Whether the database may come back before {@link #end} (a killed one is restarted). */
    boolean mayEndOnItsOwn();
  }

  @Test
  void aKilledEmbeddedPostgresIsRestartedWhileClientsWrite() throws Exception {
    underLoad(
        new Fault() {
          @Override
          public void begin() throws Exception {
            PostgresProcesses.killPostmaster(directory);
          }

          @Override
          public void end() {}

          @Override
          public boolean mayEndOnItsOwn() {
            return true;
          }
        });
  }

  @Test
  void aStalledDatabaseFailsWritesAsUnavailableUntilItResumes() throws Exception {
    underLoad(
        new Fault() {
          private List<Long> server;

          @Override
          public void begin() throws Exception {
            server = PostgresProcesses.serverProcesses(directory);
            PostgresProcesses.signal("STOP", server);
          }

          @Override
          public void end() throws Exception {
            PostgresProcesses.signal("CONT", server);
          }

          @Override
          public boolean mayEndOnItsOwn() {
            return false;
          }
        });
  }

  private void underLoad(Fault fault) throws Exception {
    String docId = Servers.freshDoc();
    Set<Integer> inserted = ConcurrentHashMap.newKeySet();
    TandemConfig config = Servers.config().dataDir(directory).databaseTimeout(TIMEOUT).build();
    try (TandemServer server = TandemServer.builder().config(config).build().start();
        ClientHarness harness = new ClientHarness(SEED)) {
      assertEquals(201, Http.put(server, "/api/docs/" + docId, "").status());
      List<Editor> editors = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        editors.add(harness.editor(server.webSocketUri(), "faults-" + i, docId));
      }
      RestWriter rest = new RestWriter(server, docId);
      Thread writer = new Thread(rest::run, "rest-writer");
      writer.start();
      try {
        ClientHarness.runEdits(editors, 5, SEED, false, inserted, () -> {});
        ClientHarness.await(() -> rest.acked.size() >= 3, () -> "REST writer acked nothing");

        fault.begin();
        long outageStart = System.nanoTime();
        try {
          ClientHarness.runEdits(editors, 5, SEED + 1, false, inserted, () -> {});
          Http.Reply ready = awaitStatus(server, "/readyz", 503);
          assertEquals(
              "unavailable", ready.body().path("status").asText(), ready.body().toString());
          assertFalse(ready.body().path("reason").asText().isEmpty(), ready.body().toString());
          Http.Reply health = Http.get(server, "/healthz");
          if (!fault.mayEndOnItsOwn()) {
            assertEquals(503, health.status(), health.body().toString());
          }
          if (health.status() == 503) { // a restarted database may be back already
            assertFalse(
                health.body().path("database").path("reachable").asBoolean(true),
                health.body().toString());
            assertFalse(health.body().path("reason").asText().isEmpty(), health.body().toString());
          }
          assertEquals(200, Http.get(server, "/livez").status());
          // Once the server knows the database is away, what needs it is refused at once.
          long start = System.nanoTime();
          Http.Reply read = Http.get(server, "/api/docs/" + docId + "?rev=1");
          long readMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          start = System.nanoTime();
          Http.Reply write =
              Http.post(
                  server,
                  "/api/docs/" + docId + "/ops",
                  "{\"rev\":0,\"op\":[\"z\"],\"client\":\"faults-probe\",\"seq\":1}");
          long writeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          assertAnsweredOrUnavailable(read);
          assertAnsweredOrUnavailable(write);
          System.out.printf(
              "with the database known away: a read of an old revision answered %d in %d ms,"
                  + " a write %d in %d ms%n",
              read.status(), readMillis, write.status(), writeMillis);
          ClientHarness.await(
              () -> rest.unavailable.get() > 0 || anyUnavailable(editors),
              () -> "no write was refused as unavailable: " + ClientHarness.describe(editors));
          System.out.printf(
              "database outage: readyz 503 after %d ms (\"%s\"); REST writes refused as"
                  + " unavailable: %d, the slowest refusal %d ms (timeout %d s)%n",
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageStart),
              ready.body().path("reason").asText(),
              rest.unavailable.get(),
              rest.slowestRefusalMillis.get(),
              TIMEOUT.toSeconds());
        } finally {
          fault.end();
        }

        awaitStatus(server, "/readyz", 200);
        assertEquals(200, Http.get(server, "/healthz").status());
        ClientHarness.runEdits(editors, 5, SEED + 2, false, inserted, () -> {});
        long ackedBefore = rest.acked.size();
        ClientHarness.await(
            () -> rest.acked.size() > ackedBefore + 2, () -> "REST writer stuck after the outage");
      } finally {
        rest.stop = true;
        writer.join(TimeUnit.SECONDS.toMillis(60));
      }
      assertTrue(rest.failures.isEmpty(), "REST writer failures: " + rest.failures);
      ClientHarness.awaitSynchronized(editors);

      JsonNode head = harness.restDocument(server.httpUri(), docId);
      ClientHarness.awaitConverged(editors, head.path("rev").asLong());
      String text = head.path("text").asText();
      List<JsonNode> ops = harness.restOps(server.httpUri(), docId);
      assertEquals(head.path("rev").asLong(), ops.size(), "ops 1..head");
      assertExactlyOnce(ops, editors, rest, text, inserted);
      assertTrue(
          editors.stream().flatMap(e -> e.errors.stream()).allMatch(e -> e.retryable()),
          "only retryable errors expected: " + ClientHarness.describe(editors));
    }
  }

  /**
   * Every op in the log is one (client, seq) once; each editor was acknowledged as often as it has
   * ops, the REST writer for exactly the seqs it has ops of, at their revisions; every code point
   * typed is in the text once.
   */
  private static void assertExactlyOnce(
      List<JsonNode> ops, List<Editor> editors, RestWriter rest, String text, Set<Integer> typed) {
    Map<String, Long> bySubmit = new HashMap<>();
    Map<Long, Long> restRevisions = new HashMap<>();
    for (JsonNode op : ops) {
      String client = op.path("client").asText();
      long seq = op.path("seq").asLong();
      assertEquals(
          null, bySubmit.put(client + "/" + seq, op.path("rev").asLong()), client + "/" + seq);
      if (client.equals(RestWriter.CLIENT)) {
        restRevisions.put(seq, op.path("rev").asLong());
      }
    }
    for (Editor editor : editors) {
      long stored =
          ops.stream()
              .filter(op -> op.path("client").asText().equals(editor.client.clientId()))
              .count();
      assertEquals(stored, editor.acks.get(), "acks of " + editor.client.clientId());
    }
    assertEquals(rest.acked, restRevisions, "REST acks (seq to rev) vs the REST writer's ops");
    Map<Integer, Integer> counts = new HashMap<>();
    text.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
    for (int c : typed) {
      assertEquals(1, counts.getOrDefault(c, 0), "U+" + Integer.toHexString(c));
    }
    assertEquals(rest.acked.size(), counts.getOrDefault((int) 'r', 0), "the REST writer's r's");
    System.out.printf(
        "acknowledged ops: %d (REST %d), lost 0, duplicated 0%n", ops.size(), rest.acked.size());
  }

  /** 200, or 503 {@code unavailable} if the database is still away: never another error. */
  private static void assertAnsweredOrUnavailable(Http.Reply reply) {
    assertTrue(
        reply.status() == 200
            || (reply.status() == 503 && reply.body().path("code").asText().equals("unavailable")),
        reply.status() + " " + reply.body());
  }

  private static boolean anyUnavailable(List<Editor> editors) {
    return editors.stream()
        .flatMap(e -> e.errors.stream())
        .anyMatch(e -> e.code() == ErrorCode.UNAVAILABLE && e.retryable());
  }

  private static Http.Reply awaitStatus(TandemServer server, String path, int status)
      throws InterruptedException {
    Http.Reply[] last = new Http.Reply[1];
    ClientHarness.await(
        () -> (last[0] = Http.get(server, path)).status() == status,
        () -> path + " answered " + last[0].status() + " " + last[0].body());
    return last[0];
  }

  /**
   * Inserts an {@code r} at the start of the document over REST, one submit at a time, each retried
   * unchanged (same rev, op and seq) while it is refused as unavailable.
   */
  private static final class RestWriter {
    static final String CLIENT = "rest-writer";
    final TandemServer server;
    final String docId;
    final Map<Long, Long> acked = new ConcurrentHashMap<>();
    final AtomicLong unavailable = new AtomicLong();
    final AtomicLong slowestRefusalMillis = new AtomicLong();
    final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    volatile boolean stop;

    RestWriter(TandemServer server, String docId) {
      this.server = server;
      this.docId = docId;
    }

    void run() {
      try {
        for (long seq = 1; !stop; seq++) {
          Http.Reply document = Http.get(server, "/api/docs/" + docId);
          if (document.status() != 200) {
            expectUnavailable(document, 0);
            if (!failures.isEmpty()) {
              return;
            }
            seq--; // nothing was sent with this seq yet
            continue;
          }
          long rev = document.body().path("rev").asLong();
          String current = document.body().path("text").asText();
          int length = current.codePointCount(0, current.length());
          String op = length == 0 ? "[\"r\"]" : "[\"r\"," + length + "]";
          String body =
              "{\"rev\":"
                  + rev
                  + ",\"op\":"
                  + op
                  + ",\"client\":\""
                  + CLIENT
                  + "\",\"seq\":"
                  + seq
                  + "}";
          while (true) {
            long start = System.nanoTime();
            Http.Reply reply = Http.post(server, "/api/docs/" + docId + "/ops", body);
            if (reply.status() == 200) {
              acked.put(seq, reply.body().path("rev").asLong());
              break;
            }
            expectUnavailable(reply, System.nanoTime() - start);
            if (!failures.isEmpty()) {
              return;
            }
          }
          Thread.sleep(5);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | AssertionError e) {
        failures.add(e.toString());
      }
    }

    private void expectUnavailable(Http.Reply reply, long nanos) throws InterruptedException {
      if (reply.status() != 503 || !reply.body().path("code").asText().equals("unavailable")) {
        failures.add(reply.status() + " " + reply.body());
        return;
      }
      unavailable.incrementAndGet();
      slowestRefusalMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(nanos), Math::max);
      Thread.sleep(20);
    }
  }
}
