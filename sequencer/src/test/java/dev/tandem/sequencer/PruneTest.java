package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.AuthorRun;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pruning a live document over REST: revisions below the new start answer 410 {@code gone}, the
 * chain still verifies, a resubmit of a pruned op is still a duplicate, and a WebSocket or SSE
 * client that asks for a pruned revision gets the head text with the resync signal. Memory holds
 * one op, so what the database says is what is tested.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class PruneTest {
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start(Servers.config().historyInMemory(1).build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void revisionsBelowThePruneAreGoneAndTheRestIsIntact() {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"abc\"}").status());
    for (int i = 1; i <= 6; i++) {
      submit(doc, i - 1, "[" + (2 + i) + ",\"" + i + "\"]", "c", i);
    }
    String headHash = EmbeddedPostgresExtension.database().archive().verify(doc).headHash();

    Http.Reply pruned = Http.post(server, "/api/docs/" + doc + "/prune?before=4", "");
    assertEquals(200, pruned.status(), pruned.body().toString());
    assertEquals(4, pruned.body().path("start").asLong());
    assertEquals(4, pruned.body().path("ops").asLong());
    assertEquals(1, pruned.body().path("checkpoints").asLong()); // 0 went, 4 was written

    assertGone(Http.get(server, "/api/docs/" + doc + "?rev=3"));
    assertEquals(
        "abc1234", Http.get(server, "/api/docs/" + doc + "?rev=4").body().path("text").asText());
    assertEquals("abc123456", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
    assertGone(Http.get(server, "/api/docs/" + doc + "/diff?from=2&to=6"));
    assertEquals(
        "[7,\"56\"]",
        Http.get(server, "/api/docs/" + doc + "/diff?from=4&to=6").body().path("op").toString());
    assertGone(Http.get(server, "/api/docs/" + doc + "/ops?from=1"));
    assertEquals(2, Http.get(server, "/api/docs/" + doc + "/ops?from=5").body().path("ops").size());
    assertGone(Http.get(server, "/api/docs/" + doc + "/blame?rev=3"));

    // Blame at the head against a replay done here: "abc" unknown, then one code point per op.
    List<AuthorRun> expected = new ArrayList<>(List.of(new AuthorRun(null, 0, 3)));
    for (int i = 1; i <= 6; i++) {
      expected.add(new AuthorRun("anonymous", i, 1));
    }
    assertEquals(expected, runs(Http.get(server, "/api/docs/" + doc + "/blame").body()));
    assertEquals(
        expected.subList(0, 5), runs(Http.get(server, "/api/docs/" + doc + "/blame?rev=4").body()));

    var verified = EmbeddedPostgresExtension.database().archive().verify(doc);
    assertEquals(headHash, verified.headHash(), "the chain is the same after the prune");
    assertEquals(2, verified.ops());

    // The document goes on: a submit on a kept revision is transformed and committed.
    assertEquals(7, submit(doc, 5, "[\"<\",8]", "d", 1).body().path("rev").asLong());
    assertEquals("<abc123456", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
  }

  @Test
  void aResubmitOfAPrunedOpIsStillADuplicate() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "");
    submit(doc, 0, "[\"x\"]", "c1", 1);
    submit(doc, 1, "[1,\"y\"]", "c1", 2);
    submit(doc, 2, "[2,\"z\"]", "c2", 1);
    assertEquals(200, Http.post(server, "/api/docs/" + doc + "/prune?before=3", "").status());

    Http.Reply again = submit(doc, 0, "[\"x\"]", "c1", 1);
    assertEquals(200, again.status(), again.body().toString());
    assertTrue(again.body().path("rev").asLong() <= 3, again.body().toString());
    assertEquals(2, submit(doc, 1, "[1,\"y\"]", "c1", 2).body().path("rev").asLong());
    assertEquals(3, submit(doc, 2, "[2,\"z\"]", "c2", 1).body().path("rev").asLong());
    JsonNode head = Http.get(server, "/api/docs/" + doc).body();
    assertEquals("xyz", head.path("text").asText(), "nothing applied twice");
    assertEquals(3, head.path("rev").asLong());

    // a new op made on a pruned revision cannot be transformed: 410
    assertGone(submit(doc, 1, "[1,\"!\"]", "c1", 3));
  }

  @Test
  void aWebSocketClientBelowThePruneGetsTheHeadWithTheResyncSignal() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "");
    submit(doc, 0, "[\"x\"]", "c1", 1);
    submit(doc, 1, "[1,\"y\"]", "c1", 2);
    submit(doc, 2, "[2,\"z\"]", "c2", 1);
    Http.post(server, "/api/docs/" + doc + "/prune?before=3", "");

    try (WsClient c1 = WsClient.hello(server, "c1");
        WsClient c3 = WsClient.hello(server, "c3");
        WsClient c4 = WsClient.hello(server, "c4")) {
      c1.send(Messages.open(doc, 1));
      ObjectNode opened = c1.next("opened");
      assertTrue(opened.path("resync").asBoolean(), opened.toString());
      assertEquals(3, opened.path("rev").asLong());
      assertEquals("xyz", opened.path("text").asText());
      assertEquals(2, opened.path("seq").asLong(), "c1's last committed seq");

      c3.send(Messages.open(doc, 0));
      ObjectNode never = c3.next("opened");
      assertTrue(never.path("resync").asBoolean());
      assertFalse(never.has("seq"), never.toString()); // c3 never committed here

      c4.send(Messages.open(doc, 3)); // the start itself: an ordinary catch-up
      ObjectNode ordinary = c4.next("opened");
      assertFalse(ordinary.has("resync"), ordinary.toString());
      assertEquals(0, ordinary.path("ops").size());

      c1.send(Messages.submit(doc, 3, "[3,\"!\"]", 3)); // live from the head on
      assertEquals(4, c1.next("ack").path("rev").asLong()); // its own op in the ops message
    }
  }

  @Test
  void anEventStreamResumesBelowThePruneWithAResyncSnapshot() throws Exception {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "{\"text\":\"ab\"}");
    for (int i = 1; i <= 4; i++) {
      submit(doc, i - 1, "[" + (1 + i) + ",\"" + i + "\"]", "c", i);
    }
    Http.post(server, "/api/docs/" + doc + "/prune?before=3", "");
    try (EventsTest.Stream stream =
        new EventsTest.Stream(server, "/api/docs/" + doc + "/events", "1")) {
      EventsTest.Event snapshot = stream.next();
      assertEquals("snapshot", snapshot.name());
      assertEquals(4, snapshot.id());
      assertTrue(snapshot.data().path("resync").asBoolean());
      assertEquals("ab1234", snapshot.data().path("text").asText());
      submit(doc, 4, "[6,\"5\"]", "c", 5);
      EventsTest.Event op = stream.next();
      assertEquals("op", op.name());
      assertEquals(5, op.id());
    }
  }

  private static Http.Reply submit(String doc, long rev, String op, String client, long seq) {
    return RestOps.submit(server, doc, rev, op, client, seq);
  }

  private static void assertGone(Http.Reply reply) {
    assertEquals(410, reply.status(), reply.body().toString());
    assertEquals("gone", reply.body().path("code").asText());
  }

  private static List<AuthorRun> runs(JsonNode body) {
    List<AuthorRun> runs = new ArrayList<>();
    for (JsonNode run : body.path("runs")) {
      runs.add(
          new AuthorRun(
              run.path("user").isNull() ? null : run.path("user").asText(),
              run.path("rev").asLong(),
              run.path("length").asInt()));
    }
    return runs;
  }
}
