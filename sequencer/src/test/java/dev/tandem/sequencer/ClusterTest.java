package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.client.DocumentListener;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three server processes on loopback sharing one PostgreSQL (the tests' embedded one), with the
 * default heartbeat (1 s) and dead timeout (3 s): clients spread over the nodes converge with every
 * op sequenced once; the owner of a document SIGKILLed, paused beyond its lease (SIGSTOP, then
 * SIGCONT) or stopped gracefully hands the document over without loss, duplicate or gap
 * (docs/scaling.md).
 */
class ClusterTest {
  private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
  private static final Map<String, ChildServer> NODES = new LinkedHashMap<>();

  @BeforeAll
  static void startNodes() throws Exception {
    for (String name : List.of("a", "b", "c")) {
      String nodeId = name + "-" + RUN; // ids of earlier runs stay in the table, dead
      NODES.put(
          nodeId,
          ChildServer.start(
              "cluster-" + name, List.of("-Xmx256m"), ClusterChecks.nodeFlags(nodeId)));
    }
  }

  @AfterAll
  static void stopNodes() throws Exception {
    for (ChildServer node : NODES.values()) {
      node.close();
    }
  }

  @BeforeEach
  void everyNodeRuns() throws Exception {
    for (ChildServer node : NODES.values()) {
      if (!node.isAlive()) {
        node.start();
      }
    }
  }

  @Test
  void clientsOnEveryNodeConvergeAndEachOpIsSequencedOnce() throws Exception {
    List<String> docIds = List.of(doc("spread-0"), doc("spread-1"));
    try (ClientHarness harness = new ClientHarness(1)) {
      List<Editor> editors = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        editors.add(editorOn(harness, i % 3, "spread-" + RUN + "-c" + i, docIds.get(i % 2)));
      }
      Set<Integer> inserted = ConcurrentHashMap.newKeySet();
      ClientHarness.runEdits(editors, 30, 11, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(editors);
      for (String docId : docIds) {
        verifyHistory(harness, docId, editors, inserted);
        assertTrue(owner(docId) != null, docId + " has an owner");
      }
      assertEquals(inserted, codePoints(harness, docIds.get(0), docIds.get(1)), "nothing lost");

      // REST on a node that does not own the document: reads from the database, writes and
      // streams sent to the owner with 307
      String docId = docIds.get(0);
      ChildServer ownerNode = NODES.get(owner(docId));
      ChildServer other = NODES.values().stream().filter(n -> n != ownerNode).findFirst().get();
      String text = harness.restDocument(ownerNode.httpUri(), docId).path("text").asText();
      assertEquals(text, harness.restDocument(other.httpUri(), docId).path("text").asText());
      HttpClient http = HttpClient.newHttpClient(); // follows no redirect
      URI ops = other.httpUri().resolve("api/docs/" + docId + "/ops");
      HttpResponse<String> write =
          http.send(
              HttpRequest.newBuilder(ops)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"rev\":0,\"op\":[\"x\"]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(307, write.statusCode(), write.body());
      assertEquals(
          ownerNode.httpUri().resolve("api/docs/" + docId + "/ops").toString(),
          write.headers().firstValue("Location").orElseThrow());
      HttpResponse<String> events =
          http.send(
              HttpRequest.newBuilder(other.httpUri().resolve("api/docs/" + docId + "/events"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(307, events.statusCode(), events.body());
      assertEquals(text, harness.restDocument(other.httpUri(), docId).path("text").asText());
    }
  }

  @Test
  void sigkillOfTheOwnerFailsOverWithoutLoss() throws Exception {
    String docId = doc("kill");
    try (ClientHarness harness = new ClientHarness(2)) {
      List<Editor> editors = new ArrayList<>();
      AtomicLong firstAckAfter = new AtomicLong();
      AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
      for (int i = 0; i < 6; i++) {
        Editor editor = editorOn(harness, i % 3, "kill-" + RUN + "-c" + i, docId);
        editor.document.addListener(
            new DocumentListener() {
              @Override
              public void onAcknowledged(long revision, long seq) {
                long now = System.nanoTime();
                if (now > killedAt.get()) {
                  firstAckAfter.compareAndSet(0, now);
                }
              }
            });
        editors.add(editor);
      }
      Set<Integer> inserted = ConcurrentHashMap.newKeySet();
      String owner = owner(docId); // the node the first editor opened it on
      Thread typing =
          new Thread(
              () -> {
                try {
                  ClientHarness.runEdits(editors, 40, 22, false, inserted, () -> sleep(10));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      typing.start();
      Thread.sleep(150); // under load: ops in flight when the owner dies
      killedAt.set(System.nanoTime());
      NODES.get(owner).kill();
      typing.join();
      ClientHarness.awaitSynchronized(editors);
      String newOwner = owner(docId);
      assertNotEquals(owner, newOwner, "a live node took the document over");
      System.out.printf(
          "ClusterTest: SIGKILL of owner %s -> first ack on new owner %s after %.2f s%n",
          owner, newOwner, (firstAckAfter.get() - killedAt.get()) / 1e9);
      verifyHistory(harness, docId, editors, inserted);
      assertEquals(inserted, codePoints(harness, docId), "nothing lost");
    }
  }

  @Test
  void aPausedOwnerCannotCommitAfterTheTakeoverAndStepsDown() throws Exception {
    String docId = doc("pause");
    try (ClientHarness harness = new ClientHarness(3)) {
      List<Editor> editors = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        editors.add(editorOn(harness, i % 3, "pause-" + RUN + "-c" + i, docId));
      }
      Set<Integer> inserted = ConcurrentHashMap.newKeySet();
      String owner = owner(docId);
      ChildServer paused = NODES.get(owner);
      // A raw client on the owner whose submit waits in the paused process's socket: read only
      // after SIGCONT, long after the lease moved on.
      String late = "pause-" + RUN + "-late";
      try (WsClient raw = WsClient.hello(paused.webSocketUri(), late)) {
        raw.send("{\"type\":\"open\",\"doc\":\"" + docId + "\"}");
        long rev = raw.next("opened").path("rev").asLong();
        paused.pause();
        try {
          raw.send(
              "{\"type\":\"submit\",\"doc\":\""
                  + docId
                  + "\",\"rev\":"
                  + rev
                  + ",\"op\":[\"\uD83D\uDC80\"],\"seq\":1}");
          awaitOwnerOtherThan(docId, owner); // the dead timeout passed: another node holds it
          ClientHarness.runEdits(editors, 15, 32, false, inserted, () -> {});
          ClientHarness.awaitSynchronized(editors);
        } finally {
          paused.resume();
        }
        // The paused node wakes with the submit: it never acknowledges it (fenced, or stepped down)
        ObjectNode answer = raw.nextOf("error", "ops");
        assertEquals("error", answer.path("type").asText(), "no ack after the takeover: " + answer);
        assertTrue(
            List.of("unavailable", "moved").contains(answer.path("code").asText()),
            answer.toString());
        ClientHarness.await(
            () -> {
              try {
                return paused.output().contains("stepping down");
              } catch (java.io.IOException e) {
                return false;
              }
            },
            () -> "the paused node logs its step-down");
        System.out.println(
            "ClusterTest: the paused owner answered "
                + answer.path("code").asText()
                + (fenced(paused) ? " (its commit was fenced by the epoch)" : ""));
      }
      // and editing goes on everywhere, the woken node included
      ClientHarness.runEdits(editors, 5, 33, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(editors);
      List<JsonNode> ops = verifyHistory(harness, docId, editors, inserted);
      assertFalse(
          ops.stream().anyMatch(op -> op.path("client").asText().equals(late)),
          "the paused node's late submit is not stored");
      assertEquals(inserted, codePoints(harness, docId), "nothing lost");
    }
  }

  @Test
  void gracefulShutdownHandsTheDocumentOffWithoutClientError() throws Exception {
    String docId = doc("stop");
    try (ClientHarness harness = new ClientHarness(4)) {
      List<Editor> editors = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        editors.add(editorOn(harness, i % 3, "stop-" + RUN + "-c" + i, docId));
      }
      Set<Integer> inserted = ConcurrentHashMap.newKeySet();
      String owner = owner(docId);
      Thread typing =
          new Thread(
              () -> {
                try {
                  ClientHarness.runEdits(editors, 30, 42, false, inserted, () -> sleep(10));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      typing.start();
      Thread.sleep(150);
      NODES.get(owner).stop();
      typing.join();
      ClientHarness.awaitSynchronized(editors);
      assertNotEquals(owner, owner(docId));
      // A submit that reached the stopping node after it stopped accepting is refused with the
      // retryable unavailable, and the client sends it again on the new owner; nothing else.
      for (Editor editor : editors) {
        assertEquals(
            List.of(),
            editor.errors.stream().filter(e -> !e.retryable()).map(Throwable::getMessage).toList(),
            "no failure reached the client");
      }
      verifyHistory(harness, docId, editors, inserted);
      assertEquals(inserted, codePoints(harness, docId), "nothing lost");
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static String doc(String name) {
    return EmbeddedPostgresExtension.freshDocId("cluster-" + name);
  }

  /** A client whose first node is node {@code index}, the others its alternates. */
  private static Editor editorOn(ClientHarness harness, int index, String clientId, String docId)
      throws Exception {
    List<ChildServer> nodes = List.copyOf(NODES.values());
    List<URI> alternates = new ArrayList<>();
    for (int i = 1; i < nodes.size(); i++) {
      alternates.add(nodes.get((index + i) % nodes.size()).webSocketUri());
    }
    return harness.editor(nodes.get(index).webSocketUri(), alternates, clientId, docId);
  }

  private static List<JsonNode> verifyHistory(
      ClientHarness harness, String docId, List<Editor> editors, Set<Integer> inserted)
      throws Exception {
    return ClusterChecks.verifyHistory(harness, live().httpUri(), docId, editors, inserted);
  }

  private static Set<Integer> codePoints(ClientHarness harness, String... docIds) throws Exception {
    return ClusterChecks.codePoints(harness, live().httpUri(), docIds);
  }

  private static ChildServer live() {
    return NODES.values().stream().filter(ChildServer::isAlive).findFirst().orElseThrow();
  }

  private static String owner(String docId) throws Exception {
    return ClusterChecks.owner(docId);
  }

  private static void awaitOwnerOtherThan(String docId, String owner) throws Exception {
    ClientHarness.await(
        () -> {
          try {
            String now = owner(docId);
            return now != null && !now.equals(owner);
          } catch (Exception e) {
            return false;
          }
        },
        () -> docId + " taken over from " + owner);
  }

  private static boolean fenced(ChildServer node) throws java.io.IOException {
    return node.output().contains("was taken over: its lease is at epoch");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
