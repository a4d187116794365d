package dev.tandem.sequencer.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A stored presence brought to the head for a joiner, as clients move selections. */
class PresenceUpdateTest {
  private static PresenceUpdate published(long revision, String selection) {
    return new PresenceUpdate(
        "d",
        "ada",
        "u",
        revision,
        Json.MAPPER.valueToTree(parse(selection)),
        Json.parseObject("{\"name\":\"Ada\"}"),
        false);
  }

  private static Object parse(String json) {
    try {
      return Json.MAPPER.readValue(json, Object.class);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static TextOperation op(String json) {
    return OperationJson.parse(json);
  }

  @Test
  void eachPositionMovesPastWhatIsInsertedAtItAndBackOverWhatIsDeletedBeforeIt() {
    // "ab😀cd": a caret before 'c' (3) and a selection of "😀c" (2..4)
    PresenceUpdate moved =
        published(4, "[[3,3],[2,4]]")
            .movedTo(6, List.of(op("[\"𝒳\",5]"), op("[3,\"!\",3]"), op("[-1,6]")));
    // 𝒳ab😀cd -> 𝒳ab!😀cd -> ab!😀cd: the caret stays before 'c' and the selection on "😀c"
    // (the '!' inserted at its anchor goes before it: side after)
    assertEquals("[[4,4],[3,5]]", moved.selection().toString());
    assertEquals(6, moved.revision());
    assertEquals("Ada", moved.meta().path("name").asText());
    assertEquals("ada", moved.clientId());
  }

  @Test
  void aSelectionPastTheEndOfItsTextBecomesEmptyAndTheClientStaysPresent() {
    PresenceUpdate moved = published(1, "[[1,1],[9,9]]").movedTo(2, List.of(op("[2,\"x\"]")));
    assertEquals("[]", moved.selection().toString());
    assertEquals(false, moved.left());
    assertEquals("Ada", moved.meta().path("name").asText());
  }

  @Test
  void aClientThatJoinedHasAnEmptySelectionAndMeta() {
    PresenceUpdate joined = PresenceUpdate.joined("d", "bob", "u", Json.object(), 7);
    assertEquals("[]", joined.selection().toString());
    assertEquals("{}", joined.meta().toString());
    assertEquals(7, joined.revision());
    assertEquals("[]", joined.movedTo(9, List.of(op("[\"xy\"]"))).selection().toString());
  }
}
