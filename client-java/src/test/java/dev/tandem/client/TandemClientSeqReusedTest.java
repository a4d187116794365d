package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.tandem.ot.TextOperation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Someone else using the client's id, against a stand-in server ({@link FakeServer}): the server
 * answers the client's op with {@code seq_reused}, and the client sends it again under a fresh
 * client id once every op it has in flight under the old id (on another document) is answered, so
 * the edit is kept and nothing is stored twice.
 */
class TandemClientSeqReusedTest {
  private FakeServer server;
  private TandemClient victim;
  private final List<ClientIdChange> changes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = new FakeServer();
    server.commitAs("alice", 2, "a", TextOperation.builder().insert("T").build()); // the theft
    victim =
        TandemClient.builder(server.uri())
            .clientId("alice")
            .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
            .build();
    victim.addClientIdListener(changes::add);
  }

  @AfterEach
  void stop() throws Exception {
    victim.close();
    server.close();
  }

  private static TextOperation append(String text, String to) {
    return TextOperation.builder().retain(to.codePointCount(0, to.length())).insert(text).build();
  }

  @Test
  void theRefusedOpGoesAgainUnderAFreshIdOnceTheOtherDocumentsOpIsAnswered() throws Exception {
    TandemDocument a = victim.open("a").get(30, TimeUnit.SECONDS);
    TandemDocument b = victim.open("b").get(30, TimeUnit.SECONDS);
    server.hold("b"); // b's submits wait, as behind a slow database
    b.edit(text -> append("on b", text)).get(30, TimeUnit.SECONDS); // alice/1, held
    a.edit(text -> append(" on a", text)).get(30, TimeUnit.SECONDS); // alice/2: seq_reused
    Await.until("the new client id", () -> !changes.isEmpty());
    victim.open("c").get(30, TimeUnit.SECONDS); // a round trip after the refusal
    assertEquals(List.of("alice"), server.hellos(), "no switch while b waits for its answer");
    ClientIdChange change = changes.get(0);
    assertEquals(new ClientIdChange("alice", victim.clientId(), "a", 2), change);
    assertNotEquals("alice", change.clientId());

    server.release("b");
    a.whenSynchronized().get(30, TimeUnit.SECONDS);
    b.whenSynchronized().get(30, TimeUnit.SECONDS);
    assertEquals(List.of("alice", change.clientId()), server.hellos());
    assertEquals(List.of("alice/1"), server.committed("b"));
    assertEquals(List.of("alice/2", change.clientId() + "/3"), server.committed("a"));
    assertEquals("T on a", server.text("a"));
    assertEquals("T on a", a.text());
    assertEquals("on b", b.text());
    assertEquals(1, changes.size());
  }

  @Test
  void anOpCommittedUnderThisClientIdBySomeoneElseMovesItToAFreshIdAtOnce() throws Exception {
    TandemDocument c = victim.open("c").get(30, TimeUnit.SECONDS);
    server.commitAs("alice", 1, "c", TextOperation.builder().insert("T").build());
    Await.until("the new client id", () -> !changes.isEmpty());
    String fresh = changes.get(0).clientId();
    assertEquals(new ClientIdChange("alice", fresh, "c", 1), changes.get(0));
    Await.until("the reconnect under the new id", () -> server.hellos().size() == 2);
    assertEquals(List.of("alice", fresh), server.hellos(), "nothing was in flight under alice");

    c.edit(text -> append(" mine", text)).get(30, TimeUnit.SECONDS);
    c.whenSynchronized().get(30, TimeUnit.SECONDS);
    assertEquals(List.of("alice/1", fresh + "/1"), server.committed("c"), "never refused");
    assertEquals("T mine", c.text());
  }

  @Test
  void anOpUnderTheOldIdWhoseAnswerWasLostIsRecognisedNeverSentUnderTheNewId() throws Exception {
    TandemDocument a = victim.open("a").get(30, TimeUnit.SECONDS);
    TandemDocument b = victim.open("b").get(30, TimeUnit.SECONDS);
    server.hold("b");
    b.edit(text -> append("on b", text)).get(30, TimeUnit.SECONDS); // alice/1, held
    a.edit(text -> append(" on a", text)).get(30, TimeUnit.SECONDS); // alice/2: seq_reused
    Await.until("the new client id", () -> !changes.isEmpty());
    String fresh = changes.get(0).clientId();
    server.dropConnections(); // b's answer is lost with the socket
    Await.until("a reconnect", () -> server.hellos().size() == 2);
    victim.open("c").get(30, TimeUnit.SECONDS); // b has reopened and resent alice/1 (held)
    assertEquals(List.of("alice", "alice"), server.hellos(), "b's op is still under alice");

    // the dead socket's submit commits now and is broadcast to the new socket, where b takes it
    // as its own; b's resubmission of alice/1 gets the old ack
    server.release("b");
    a.whenSynchronized().get(30, TimeUnit.SECONDS);
    b.whenSynchronized().get(30, TimeUnit.SECONDS);
    assertEquals(List.of("alice", "alice", fresh), server.hellos());
    assertEquals(List.of("alice/1"), server.committed("b"), "stored once");
    assertEquals(List.of("alice/2", fresh + "/3"), server.committed("a"));
    assertEquals("T on a", a.text());
    assertEquals("on b", b.text());
  }
}
