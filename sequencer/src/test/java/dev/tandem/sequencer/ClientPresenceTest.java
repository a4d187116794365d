package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.client.RemotePresence;
import dev.tandem.client.SelectionRange;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Presence through a real server: a published caret reaches the other client with its meta, moves
 * through that client's later edits so it stays before the same character, and disappears when the
 * publisher closes the document.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientPresenceTest {

  @Test
  void aCaretFollowsItsCharacterAndLeavesWithItsClient() throws Exception {
    String docId = Servers.freshDoc();
    try (TandemServer server = Servers.start();
        ClientHarness harness = new ClientHarness(5)) {
      Editor ada = harness.editor(server.webSocketUri(), "ada-" + docId, docId);
      Editor bob = harness.editor(server.webSocketUri(), "bob-" + docId, docId);
      ada.document.submit(TextOperation.builder().insert("ab😀def").build());
      ada.document.whenSynchronized().get(30, TimeUnit.SECONDS);
      ClientHarness.awaitConverged(List.of(ada, bob), 1);

      ada.document.setSelection(List.of(SelectionRange.caret(3)), Map.of("name", "Ada")); // 'd'
      ClientHarness.await(
          () -> bob.document.presences().containsKey(ada.client.clientId()),
          () -> "bob never saw ada's caret: " + bob.document.presences());
      RemotePresence seen = bob.document.presences().get(ada.client.clientId());
      assertEquals(List.of(SelectionRange.caret(3)), seen.selection());
      assertEquals("Ada", seen.meta().get("name"));

      // bob types at ada's caret and before it: the caret stays before 'd'
      bob.document.submit(
          TextOperation.builder().insert("X").retain(3).insert("𝒳").retain(3).build());
      ClientHarness.await(
          () ->
              bob.document
                  .presences()
                  .get(ada.client.clientId())
                  .selection()
                  .equals(List.of(SelectionRange.caret(5))),
          () -> "caret not moved: " + bob.document.presences());
      assertEquals("Xab😀𝒳def", bob.document.text());
      assertEquals("d", codePointAt(bob.document.text(), 5));

      ada.document.close().get(30, TimeUnit.SECONDS);
      ClientHarness.await(
          () -> bob.document.presences().isEmpty(),
          () -> "ada's presence did not leave: " + bob.document.presences());
    }
  }

  private static String codePointAt(String text, int position) {
    return Character.toString(text.codePointAt(text.offsetByCodePoints(0, position)));
  }
}
