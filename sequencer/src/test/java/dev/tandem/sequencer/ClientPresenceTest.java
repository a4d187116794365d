package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.client.DocumentListener;
import dev.tandem.client.DocumentState;
import dev.tandem.client.RemotePresence;
import dev.tandem.client.SelectionRange;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.ClientHarness.Editor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
          () -> List.of(SelectionRange.caret(3)).equals(selectionOf(bob, ada)),
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

  @Test
  void aLateJoinerListsAnIdleClientAtOnceAndTheCaretItLeftWhileTyping() throws Exception {
    String docId = Servers.freshDoc();
    try (TandemServer server = Servers.start();
        ClientHarness harness = new ClientHarness(6)) {
      Editor ada = harness.editor(server.webSocketUri(), "ada-" + docId, docId);
      Editor idle = harness.editor(server.webSocketUri(), "idle-" + docId, docId);
      ada.document.setSelection(List.of(SelectionRange.caret(0)), Map.of("name", "Ada"));
      ada.document.submit(TextOperation.builder().insert("ab😀").build()); // her caret moves on
      ada.document.whenSynchronized().get(30, TimeUnit.SECONDS);
      ClientHarness.await(
          () -> List.of(SelectionRange.caret(3)).equals(selectionOf(idle, ada)),
          () -> "idle never saw ada's caret move: " + idle.document.presences());

      Editor late = harness.editor(server.webSocketUri(), "late-" + docId, docId);
      ClientHarness.await(
          () -> late.document.presences().size() == 2,
          () -> "the late joiner lists " + late.document.presences());
      assertEquals(List.of(), selectionOf(late, idle), "idle, never published a selection");
      assertEquals(List.of(SelectionRange.caret(3)), selectionOf(late, ada));
      assertEquals("Ada", late.document.presences().get(ada.client.clientId()).meta().get("name"));
      ClientHarness.await(
          () -> idle.document.presences().containsKey(late.client.clientId()),
          () -> "the late joiner was not announced: " + idle.document.presences());
    }
  }

  @Test
  void aReconnectingClientComesBackToTheOthersListsWithItsCaret() throws Exception {
    String docId = Servers.freshDoc();
    try (TandemServer server = Servers.start();
        ClientHarness harness = new ClientHarness(7)) {
      Editor ada = harness.editor(server.webSocketUri(), "ada-" + docId, docId);
      Editor bob = harness.editor(server.webSocketUri(), "bob-" + docId, docId);
      BlockingQueue<String> bobHeard = new LinkedBlockingQueue<>();
      bob.document.addListener(
          new DocumentListener() {
            @Override
            public void onPresence(RemotePresence presence) {
              bobHeard.add("presence " + presence.clientId() + " " + presence.selection());
            }

            @Override
            public void onPresenceLeft(String clientId) {
              bobHeard.add("left " + clientId);
            }
          });
      ada.document.submit(TextOperation.builder().insert("abc").build());
      ada.document.whenSynchronized().get(30, TimeUnit.SECONDS);
      ada.document.setSelection(List.of(SelectionRange.caret(2)), Map.of());
      ClientHarness.await(
          () -> List.of(SelectionRange.caret(2)).equals(selectionOf(bob, ada)),
          () -> "bob never saw ada's caret: " + bob.document.presences());
      bobHeard.clear();

      ada.client.dropConnection(); // and she reconnects by herself, her caret where it was
      String heard = bobHeard.poll(30, TimeUnit.SECONDS);
      assertTrue(
          heard != null && heard.contains(ada.client.clientId()),
          "bob heard nothing of ada's reconnect: " + heard);
      ClientHarness.await(
          () -> ada.document.state() == DocumentState.SYNCED,
          () -> "ada is not back: " + ada.document.state());
      ClientHarness.await(
          () -> List.of(SelectionRange.caret(2)).equals(selectionOf(bob, ada)),
          () -> "ada is not back in bob's list with her caret: " + bob.document.presences());
    }
  }

  private static List<SelectionRange> selectionOf(Editor viewer, Editor viewed) {
    RemotePresence presence = viewer.document.presences().get(viewed.client.clientId());
    return presence == null ? null : presence.selection();
  }

  private static String codePointAt(String text, int position) {
    return Character.toString(text.codePointAt(text.offsetByCodePoints(0, position)));
  }
}
