package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.ot.TextOperation;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A prune while an op is in flight, against a stand-in server ({@link FakeServer}): the op's base
 * is gone, so the server refuses it with {@code gone}; the client reopens the document at its
 * revision (not from the head text, which would drop the edit) and sends the op again.
 */
class TandemClientPruneTest {

  @Test
  void anOpWhoseBaseWasPrunedMeanwhileIsKept() throws Exception {
    List<ErrorCode> errors = new CopyOnWriteArrayList<>();
    try (FakeServer server = new FakeServer();
        TandemClient client = server.client("alice").build()) {
      TandemDocument doc = client.open("a").get(30, TimeUnit.SECONDS);
      doc.addListener(
          new DocumentListener() {
            @Override
            public void onError(TandemException error) {
              errors.add(error.code());
            }
          });
      server.hold("a");
      doc.edit(text -> TextOperation.builder().insert("A").build()).get(30, TimeUnit.SECONDS);
      Await.until("the submit on base 0", () -> server.heldIds().equals(List.of("alice/1")));
      server.commitAs("bob", 1, "a", TextOperation.builder().insert("B").build()); // revision 1
      Await.until("bob's op taken", () -> doc.revision() == 1);
      server.prune("a", 1);
      server.release("a"); // base 0 < 1: gone

      doc.whenSynchronized().get(30, TimeUnit.SECONDS);
      assertEquals(List.of(ErrorCode.GONE), errors);
      assertEquals(List.of("a", "a"), server.opens());
      assertEquals(List.of("bob/1", "alice/1"), server.committed("a"), "the edit kept");
      assertEquals(server.text("a"), doc.text());
      assertEquals(2, doc.text().length());
    }
  }
}
