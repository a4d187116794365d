package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.client.DocumentListener;
import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Crash durability: a server in a child process is SIGKILLed at random moments while client-java
 * editors type astral characters into several documents, and started again on the same data
 * directory and port; the editors keep editing offline and reconnect. At the end every op a client
 * was acknowledged is in the op log exactly once (by client and seq, at the acknowledged revision),
 * no op is in it twice, the log replays to the stored text, and every editor and a fresh {@code
 * open} hold that text.
 *
 * <p>The seed ({@code -Dtandem.crash.seed=N}) drives the edits and the kill moments; the moments
 * also depend on timing, so a failure replays the same inputs, not always the same interleaving.
 */
class CrashDurabilityTest {
  private static final long SEED = Long.getLong("tandem.crash.seed", System.nanoTime());
  private static final int DOCUMENTS = 4;
  private static final int EDITORS_PER_DOCUMENT = 3;
  private static final int KILLS = 3;

  /** An acknowledged op: who sent it, its seq, where the server said it committed it. */
  private record Ack(String docId, String clientId, long seq, long revision) {}

  @Test
  void everyAcknowledgedOpSurvivesRepeatedSigkills() throws Exception {
    long started = System.nanoTime();
    System.out.println("CrashDurabilityTest seed " + SEED + " (-Dtandem.crash.seed to replay)");
    Random random = new Random(SEED);
    String run = Long.toString(System.currentTimeMillis(), 36);
    List<String> docIds = new ArrayList<>();
    for (int d = 0; d < DOCUMENTS; d++) {
      docIds.add("crash-" + run + "-" + d);
    }
    Map<String, Ack> acks = new ConcurrentHashMap<>(); // by docId/clientId/seq
    List<String> ackConflicts = new ArrayList<>();
    List<Double> restartSeconds = new ArrayList<>();

    try (ChildServer server = ChildServer.start("crash-server", List.of("-Xmx512m"), List.of());
        ClientHarness harness = new ClientHarness(random.nextLong())) {
      URI webSocket = server.webSocketUri();
      List<Editor> editors = new ArrayList<>();
      for (int i = 0; i < DOCUMENTS * EDITORS_PER_DOCUMENT; i++) {
        String docId = docIds.get(i % DOCUMENTS);
        Editor editor = harness.editor(webSocket, "crash-" + run + "-c" + i, docId);
        editor.document.addListener(
            new DocumentListener() {
              @Override
              public void onAcknowledged(long revision, long seq) {
                // the id now: a client that had to take a fresh id sends under that one
                String clientId = editor.client.clientId();
                Ack ack = new Ack(docId, clientId, seq, revision);
                Ack earlier = acks.putIfAbsent(docId + "/" + clientId + "/" + seq, ack);
                if (earlier != null && !earlier.equals(ack)) {
                  synchronized (ackConflicts) {
                    ackConflicts.add(earlier + " then " + ack);
                  }
                }
              }
            });
        editors.add(editor);
      }

      ScheduledExecutorService driver = Executors.newScheduledThreadPool(2);
      Typing typing = new Typing(driver);
      try {
        for (int i = 0; i < editors.size(); i++) {
          typing.start(editors.get(i), new Random(random.nextLong()));
        }
        for (int k = 0; k < KILLS; k++) {
          Thread.sleep(1_500 + random.nextInt(3_000));
          server.kill();
          Thread.sleep(random.nextInt(700)); // edits go on offline meanwhile
          server.start();
          restartSeconds.add(server.secondsToListening());
        }
        Thread.sleep(1_500);
      } finally {
        typing.stop();
        driver.shutdownNow();
      }
      ClientHarness.awaitSynchronized(editors);

      long acknowledged = acks.size();
      long lost = 0;
      long duplicated = 0;
      long atAnotherRevision = 0;
      long neverAcknowledged = 0;
      for (String docId : docIds) {
        List<JsonNode> ops = harness.restOps(server.httpUri(), docId);
        JsonNode head = harness.restDocument(server.httpUri(), docId);
        String text = head.path("text").asText();
        Map<String, List<Long>> revisionsByClientSeq = new HashMap<>();
        String replayed = "";
        for (int i = 0; i < ops.size(); i++) {
          JsonNode op = ops.get(i);
          assertEquals(i + 1, op.path("rev").asLong(), docId + ": revision at index " + i);
          replayed = OperationJson.parse(op.path("op").toString()).apply(replayed);
          revisionsByClientSeq
              .computeIfAbsent(
                  op.path("client").asText() + "/" + op.path("seq").asLong(),
                  key -> new ArrayList<>())
              .add(op.path("rev").asLong());
        }
        assertEquals(text, replayed, docId + ": the op log does not replay to the stored text");
        for (List<Long> revisions : revisionsByClientSeq.values()) {
          duplicated += revisions.size() - 1;
        }
        for (Ack ack : acks.values()) {
          if (!ack.docId().equals(docId)) {
            continue;
          }
          List<Long> stored = revisionsByClientSeq.get(ack.clientId() + "/" + ack.seq());
          if (stored == null) {
            lost++;
            System.out.println("lost: " + ack);
          } else if (!stored.contains(ack.revision())) {
            atAnotherRevision++;
            System.out.println("acknowledged at another revision: " + ack + " stored " + stored);
          }
        }
        for (String clientSeq : revisionsByClientSeq.keySet()) {
          if (!acks.containsKey(docId + "/" + clientSeq)) {
            neverAcknowledged++;
            System.out.println("stored but never acknowledged: " + docId + "/" + clientSeq);
          }
        }

        long revision = head.path("rev").asLong();
        List<Editor> ofDocument =
            editors.stream().filter(e -> e.document.id().equals(docId)).toList();
        ClientHarness.awaitConverged(ofDocument, revision);
        for (Editor editor : ofDocument) {
          assertEquals(text, editor.document.text(), editor.client.clientId() + " on " + docId);
        }
        Editor fresh = harness.editor(server.webSocketUri(), "crash-" + run + "-fresh", docId);
        assertEquals(text, fresh.document.text(), "a fresh open of " + docId);
        assertTrue(
            text.codePoints().anyMatch(Character::isSupplementaryCodePoint),
            docId + " holds no astral character: " + text);
      }

      System.out.printf(
          "CrashDurabilityTest: seed %d, %d SIGKILLs (kill to listening %s s), %d editors on %d"
              + " documents, %d edits made, acknowledged ops %d, lost %d, duplicated %d, at"
              + " another revision %d, stored but never acknowledged %d, %.1f s%n",
          SEED,
          KILLS,
          restartSeconds.stream().map(s -> String.format("%.2f", s)).toList(),
          editors.size(),
          DOCUMENTS,
          typing.edits(),
          acknowledged,
          lost,
          duplicated,
          atAnotherRevision,
          neverAcknowledged,
          (System.nanoTime() - started) / 1e9);
      assertEquals(List.of(), ackConflicts, "one seq acknowledged at two revisions");
      assertEquals(0, lost, "acknowledged ops lost (seed " + SEED + ")");
      assertEquals(0, duplicated, "ops applied twice (seed " + SEED + ")");
      assertEquals(0, atAnotherRevision, "ops stored at another revision than acked");
      assertEquals(0, neverAcknowledged, "ops stored but never acknowledged");
      assertTrue(acknowledged > 100, "too few acknowledged ops to mean anything: " + acknowledged);
    }
  }

  /**
   * Every editor edits every 20 to 200 ms until stopped: mostly inserts of one to three characters
   * (emoji, supplementary-plane CJK, BMP CJK, ASCII), a delete now and then.
   */
  private static final class Typing {
    private final ScheduledExecutorService driver;
    private final AtomicLong edits = new AtomicLong();
    private final AtomicInteger inProgress = new AtomicInteger();
    private volatile boolean stopped;

    Typing(ScheduledExecutorService driver) {
      this.driver = driver;
    }

    /** {@code random} is used on the editor's event thread only, where its edits run. */
    void start(Editor editor, Random random) {
      inProgress.incrementAndGet();
      driver.schedule(() -> step(editor, random), random.nextInt(200), TimeUnit.MILLISECONDS);
    }

    private void step(Editor editor, Random random) {
      editor
          .document
          .edit(text -> randomEdit(random, text))
          .whenComplete(
              (op, failure) -> {
                if (failure == null) {
                  edits.incrementAndGet();
                }
                if (stopped) {
                  inProgress.decrementAndGet();
                } else {
                  driver.schedule(
                      () -> step(editor, random), 20 + random.nextInt(180), TimeUnit.MILLISECONDS);
                }
              });
    }

    /** Stops scheduling edits and waits until the last ones were applied locally. */
    void stop() throws InterruptedException {
      stopped = true;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (inProgress.get() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }

    long edits() {
      return edits.get();
    }

    private static TextOperation randomEdit(Random random, String text) {
      int length = text.codePointCount(0, text.length());
      int position = random.nextInt(length + 1);
      TextOperation.Builder op = TextOperation.builder().retain(position);
      boolean crowded = length > 300; // deletes keep the text short
      if (position < length && random.nextInt(crowded ? 2 : 6) == 0) {
        int count = 1 + random.nextInt(Math.min(3, length - position));
        return op.delete(count).retain(length - position - count).build();
      }
      StringBuilder inserted = new StringBuilder();
      for (int i = 1 + random.nextInt(3); i > 0; i--) {
        inserted.appendCodePoint(
            switch (random.nextInt(4)) {
              case 0 -> 0x1F600 + random.nextInt(80); // emoji
              case 1 -> 0x20000 + random.nextInt(0xA6D0); // CJK Extension B
              case 2 -> 0x4E00 + random.nextInt(0x5000); // BMP CJK
              default -> 'a' + random.nextInt(26);
            });
      }
      return op.insert(inserted.toString()).retain(length - position).build();
    }
  }
}
