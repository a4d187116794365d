package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.ot.TextOperation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One {@code ops} frame holding a commit group of two clients' ops, against a stand-in server
 * ({@link FakeServer}): each client takes its own op as its ack and the other's as a remote change.
 */
class TandemClientOpsFrameTest {
  private FakeServer server;
  private TandemClient alice;
  private TandemClient bob;

  @BeforeEach
  void start() throws Exception {
    server = new FakeServer();
    alice = TandemClient.builder(server.uri()).clientId("alice").build();
    bob = TandemClient.builder(server.uri()).clientId("bob").build();
  }

  @AfterEach
  void stop() throws Exception {
    alice.close();
    bob.close();
    server.close();
  }

  @Test
  void eachClientTakesItsOwnOpInTheGroupAsItsAck() throws Exception {
    TandemDocument a = alice.open("doc").get(30, TimeUnit.SECONDS);
    TandemDocument b = bob.open("doc").get(30, TimeUnit.SECONDS);
    List<String> seenByBob = new CopyOnWriteArrayList<>();
    b.addListener(
        new DocumentListener() {
          @Override
          public void onChange(TextChange change) {
            if (change.origin() == TextChange.Origin.REMOTE) {
              seenByBob.add("change " + change.revision());
            }
          }

          @Override
          public void onAcknowledged(long revision, long seq) {
            seenByBob.add("ack " + revision);
          }
        });
    server.hold("doc"); // both submits wait and commit together
    a.edit(text -> TextOperation.builder().insert("A").build()).get(30, TimeUnit.SECONDS);
    // the two sockets race: alice's submit must reach the server first for the order below
    assertEquals(List.of("alice/1"), awaitHeld(1));
    b.edit(text -> TextOperation.builder().insert("B").build()).get(30, TimeUnit.SECONDS);
    assertEquals(List.of("alice/1", "bob/1"), awaitHeld(2));
    server.release("doc");

    a.whenSynchronized().get(30, TimeUnit.SECONDS);
    b.whenSynchronized().get(30, TimeUnit.SECONDS);
    // alice's ack (revision 1) completes her future while the frame's revision 2 is still applied
    awaitRevision(a, 2);
    awaitRevision(b, 2);
    assertEquals("BA", server.text("doc")); // B, rebased on A, goes first
    assertEquals("BA", a.text());
    assertEquals("BA", b.text());
    assertEquals(2, a.revision());
    assertEquals(2, b.revision());
    // alice's op at 1 as a change, his own at 2 as his ack
    assertEquals(List.of("change 1", "ack 2"), seenByBob);
  }

  private static void awaitRevision(TandemDocument document, long revision)
      throws InterruptedException {
    Await.until("revision " + revision, () -> document.revision() >= revision);
  }

  private List<String> awaitHeld(int count) throws InterruptedException {
    Await.until(count + " held submits", () -> server.heldIds().size() >= count);
    return server.heldIds();
  }
}
