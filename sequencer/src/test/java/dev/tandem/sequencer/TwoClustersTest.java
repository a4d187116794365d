package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import dev.tandem.sequencer.ClusterChecks.Lease;
import dev.tandem.sequencer.config.Logging;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

/**
 * Two clusters on one PostgreSQL (the tests' embedded one), told apart only by their node ids:
 * "blue", two server processes that stay alive in the table for a minute after they die, and
 * "green", two servers in this JVM. Nodes on one database share its documents, so a client of
 * either cluster reaches any document (redirected to its owner), but no node ever takes or commits
 * into a document whose lease a live node of the other cluster holds, and a node restarted with its
 * id is the same node: its leases still name it and their epochs go on (docs/scaling.md).
 */
class TwoClustersTest {
  private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
  private static final String BLUE_1 = "blue-1-" + RUN;
  private static final String BLUE_2 = "blue-2-" + RUN;
  private static final String GREEN_1 = "green-1-" + RUN;
  private static final String GREEN_2 = "green-2-" + RUN;
  private static ChildServer blue1;
  private static ChildServer blue2;
  private static TandemServer green1;
  private static TandemServer green2;

  @BeforeAll
  static void startBothClusters() throws Exception {
    // dead after a minute: a blue node SIGKILLed is still alive in the table for the whole test
    blue1 = blueNode("blue-1", BLUE_1);
    blue2 = blueNode("blue-2", BLUE_2);
    green1 = Servers.start(Servers.config().nodeId(GREEN_1).build());
    green2 = Servers.start(Servers.config().nodeId(GREEN_2).build());
  }

  @AfterAll
  static void stopBothClusters() throws Exception {
    for (AutoCloseable node : new AutoCloseable[] {green2, green1, blue2, blue1}) {
      if (node != null) {
        node.close();
      }
    }
  }

  @Test
  void theClustersShareDocumentsButNeverTakeEachOthersLeases() throws Exception {
    String blueDoc = doc("blue");
    String greenDoc = doc("green");
    String shared = doc("shared");
    try (ClientHarness harness = new ClientHarness(51)) {
      // the first open of a document takes its lease on that node; the later ones are redirected
      List<Editor> editors = new ArrayList<>();
      editors.add(blueEditor(harness, blue1, "c0", blueDoc));
      editors.add(blueEditor(harness, blue2, "c1", blueDoc));
      editors.add(greenEditor(harness, green1, "c2", greenDoc));
      editors.add(greenEditor(harness, green2, "c3", greenDoc));
      editors.add(blueEditor(harness, blue2, "c4", shared));
      editors.add(greenEditor(harness, green1, "c5", shared));
      editors.add(greenEditor(harness, green2, "c6", shared));
      Map<String, Lease> leases =
          Map.of(
              blueDoc, ClusterChecks.lease(blueDoc),
              greenDoc, ClusterChecks.lease(greenDoc),
              shared, ClusterChecks.lease(shared));
      assertEquals(BLUE_1, leases.get(blueDoc).owner());
      assertEquals(GREEN_1, leases.get(greenDoc).owner());
      assertEquals(BLUE_2, leases.get(shared).owner(), "green's clients followed blue's owner");

      Set<Integer> inserted = ConcurrentHashMap.newKeySet();
      ClientHarness.runEdits(editors, 20, 52, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(editors);

      for (String docId : leases.keySet()) {
        // the same owner at the same epoch: no other node acquired it, so no other node could
        // commit into it (every commit is fenced by the epoch)
        assertEquals(leases.get(docId), ClusterChecks.lease(docId), docId + "'s lease");
        ClusterChecks.verifyHistory(harness, green2.httpUri(), docId, editors, inserted);
      }
      assertEquals(
          inserted,
          ClusterChecks.codePoints(harness, blue1.httpUri(), blueDoc, greenDoc, shared),
          "nothing lost");
      assertMovedTo(green2.webSocketUri(), shared, blue2.webSocketUri());
      assertMovedTo(blue1.webSocketUri(), greenDoc, green1.webSocketUri());
    }
  }

  @Test
  void aRestartedNodeIsTheSameNodeAndItsEpochsGoOn() throws Exception {
    String docId = doc("restart");
    Set<Integer> inserted = ConcurrentHashMap.newKeySet();
    Lease before;
    try (ClientHarness harness = new ClientHarness(53)) {
      List<Editor> editors = List.of(blueEditor(harness, blue1, "r0", docId));
      ClientHarness.runEdits(editors, 10, 54, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(editors);
      before = ClusterChecks.lease(docId);
      assertEquals(BLUE_1, before.owner());
    }

    blue1.kill();
    // Down, but alive in the table until its dead timeout: the other cluster leaves its lease
    // alone and sends clients to it.
    assertMovedTo(green1.webSocketUri(), docId, blue1.webSocketUri());
    assertEquals(before, ClusterChecks.lease(docId));

    blue1.start(); // the same id (and port)
    try (ClientHarness harness = new ClientHarness(55)) {
      List<Editor> editors = new ArrayList<>();
      editors.add(blueEditor(harness, blue1, "r1", docId));
      assertEquals(
          new Lease(BLUE_1, before.epoch() + 1),
          ClusterChecks.lease(docId),
          "taken back at once, at the next epoch");
      editors.add(greenEditor(harness, green2, "r2", docId));
      ClientHarness.runEdits(editors, 10, 56, false, inserted, () -> {});
      ClientHarness.awaitSynchronized(editors);

      assertEquals(new Lease(BLUE_1, before.epoch() + 1), ClusterChecks.lease(docId));
      ClusterChecks.verifyHistory(harness, green1.httpUri(), docId, editors, inserted);
      assertEquals(
          inserted, ClusterChecks.codePoints(harness, blue2.httpUri(), docId), "nothing lost");
    }
  }

  @Test
  void aSecondProcessGivenAnIdInUseIsReported() throws Exception {
    try (CapturedLog log = new CapturedLog(Level.INFO, Logging.Format.TEXT);
        TandemServer twin = Servers.start(Servers.config().nodeId(GREEN_2).build())) {
      ClientHarness.await(
          () -> log.text().contains("node id in use at another address"),
          () -> "a warning about " + GREEN_2 + " at two addresses: " + log.text());
      assertTrue(log.text().contains(twin.httpUri().toString()), log.text());
      assertTrue(log.text().contains(green2.httpUri().toString()), log.text());
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static ChildServer blueNode(String name, String nodeId) throws Exception {
    return ChildServer.start(
        "two-clusters-" + name,
        List.of("-Xmx256m"),
        ClusterChecks.nodeFlags(nodeId, "--node-dead-after-ms=60000"));
  }

  private static String doc(String name) {
    return EmbeddedPostgresExtension.freshDocId("two-clusters-" + name);
  }

  /** A client of the blue cluster: its node first, the other blue node as the alternate. */
  private static Editor blueEditor(ClientHarness harness, ChildServer node, String name, String doc)
      throws Exception {
    ChildServer other = node == blue1 ? blue2 : blue1;
    return harness.editor(
        node.webSocketUri(), List.of(other.webSocketUri()), "blue-" + RUN + "-" + name, doc);
  }

  /** A client of the green cluster: its node first, the other green node as the alternate. */
  private static Editor greenEditor(
      ClientHarness harness, TandemServer node, String name, String doc) throws Exception {
    TandemServer other = node == green1 ? green2 : green1;
    return harness.editor(
        node.webSocketUri(), List.of(other.webSocketUri()), "green-" + RUN + "-" + name, doc);
  }

  /** An {@code open} on {@code node} is answered with {@code moved} to {@code owner}. */
  private static void assertMovedTo(URI node, String docId, URI owner) {
    try (WsClient raw = WsClient.hello(node, "raw-" + RUN)) {
      raw.send(Messages.open(docId));
      ObjectNode error = raw.next("error");
      assertEquals("moved", error.path("code").asText(), error.toString());
      assertEquals(owner.toString(), error.path("url").asText(), error.toString());
    }
  }
}
