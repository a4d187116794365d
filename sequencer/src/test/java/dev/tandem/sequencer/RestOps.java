package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.ot.OperationJson;

/** Submits over REST, and the check that a document's text is the replay of its history. */
public final class RestOps {
  private RestOps() {}

  static Http.Reply submit(
      TandemServer server, String doc, long rev, String op, String client, long seq) {
    return Http.post(server, "/api/docs/" + doc + "/ops", submitBody(rev, op, client, seq));
  }

  /** The body of {@code POST /api/docs/{id}/ops}: {@code op} is the op's JSON. */
  public static String submitBody(long rev, String op, String client, long seq) {
    return "{\"rev\":"
        + rev
        + ",\"op\":"
        + op
        + ",\"client\":\""
        + client
        + "\",\"seq\":"
        + seq
        + "}";
  }

  /**
   * The text over REST equals {@code initial} with every op of {@code /ops} applied (one page);
   * returns the head.
   */
  static long assertTextIsReplayOfOps(TandemServer server, String doc, String initial) {
    Http.Reply read = Http.get(server, "/api/docs/" + doc);
    assertEquals(200, read.status(), read.body().toString());
    Http.Reply ops = Http.get(server, "/api/docs/" + doc + "/ops");
    String replayed = initial;
    for (JsonNode op : ops.body().path("ops")) {
      replayed = OperationJson.parse(op.path("op").toString()).apply(replayed);
    }
    assertEquals(replayed, read.body().path("text").asText(), "text vs replay of " + ops.body());
    assertEquals(ops.body().path("ops").size(), read.body().path("rev").asLong());
    return read.body().path("rev").asLong();
  }
}
