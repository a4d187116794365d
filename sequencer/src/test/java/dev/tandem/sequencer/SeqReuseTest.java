package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.Authorizer;
import dev.tandem.sequencer.document.Faults;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * No path acknowledges an op that is not stored: a submit whose {@code (client, seq)} names a
 * stored op is acknowledged with its revision only if it is that op (a retry, rebased or not);
 * another op under the same client id and seq is {@code seq_reused}, another user's {@code
 * forbidden}.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class SeqReuseTest {
  private static TandemServer server;

  /**
   * Documents whose next hand-off to the committer waits for the latch, so that submits gather
   * behind the group going to the database.
   */
  private static final Map<String, Freeze> frozen = new ConcurrentHashMap<>();

  private record Freeze(CountDownLatch entered, CountDownLatch release) {}

  /** The token is the user; no token is "anonymous". */
  private static final class TokenIsUser implements Authorizer {
    @Override
    public String authenticate(String token) {
      return token.isEmpty() ? "anonymous" : token;
    }

    @Override
    public void checkRead(String user, String docId) {}

    @Override
    public void checkWrite(String user, String docId) {}
  }

  @BeforeAll
  static void start() {
    server =
        TandemServer.builder()
            .config(Servers.config().historyInMemory(3).build())
            .database(EmbeddedPostgresExtension.database())
            .authorizer(new TokenIsUser())
            .faults(
                (step, docId) -> {
                  Freeze freeze = step == Faults.Step.HAND_OFF ? frozen.remove(docId) : null;
                  if (freeze != null) {
                    freeze.entered().countDown();
                    try {
                      freeze.release().await(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                })
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aRetryRebasedOnTheOpsReceivedMeanwhileGetsTheOriginalRevision() {
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-r")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      assertEquals(1, rest(doc, 0, "[\"B\"]", "bob-r", 1, "").body().path("rev").asLong());
      alice.send(Messages.submit(doc, 0, "[\"a\"]", 1)); // concurrent with bob's: stored as [a,1]
      List<ObjectNode> replies = alice.until("ack");
      assertEquals(2, replies.get(replies.size() - 1).path("rev").asLong());
    }
    // The ack was lost: alice reconnects, receives bob's op and rebases her op in flight on it.
    try (WsClient again = WsClient.hello(server, "alice-r")) {
      again.send(Messages.open(doc, 1));
      again.until("opened");
      again.send(Messages.submit(doc, 1, "[\"a\",1]", 1)); // rebased on revision 1
      assertEquals(2, again.next("ack").path("rev").asLong());
      again.send(Messages.submit(doc, 0, "[\"a\"]", 1)); // as first sent
      assertEquals(2, again.next("ack").path("rev").asLong());
    }
    assertEquals(2, rest(doc, 0, "[\"a\"]", "alice-r", 1, "").body().path("rev").asLong());
    assertEquals("aB", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
    assertEquals(2, Http.get(server, "/api/docs/" + doc).body().path("rev").asLong());
  }

  @Test
  void aStolenSeqMakesTheVictimsOwnOpSeqReusedNotSilentlyDropped() {
    String doc = Servers.freshDoc();
    try (WsClient victim = WsClient.hello(server, "victim");
        WsClient thief = WsClient.hello(server, "victim")) {
      victim.send(Messages.open(doc));
      victim.next("opened");
      thief.send(Messages.open(doc));
      thief.next("opened");
      victim.send(Messages.submit(doc, 0, "[\"v1\"]", 1));
      assertEquals(1, victim.next("ack").path("rev").asLong());
      thief.until("op");

      // A second socket and a REST POST take the victim's next two seqs for other ops.
      thief.send(Messages.submit(doc, 1, "[2,\"t2\"]", 2));
      assertEquals(2, thief.next("ack").path("rev").asLong());
      assertEquals(3, rest(doc, 2, "[4,\"t3\"]", "victim", 3, "").body().path("rev").asLong());

      victim.send(Messages.submit(doc, 1, "[\"v2\",2]", 2));
      ObjectNode reused = untilType(victim, "error");
      assertEquals("seq_reused", reused.path("code").asText(), reused.toString());
      assertFalse(reused.path("retryable").asBoolean());
      assertEquals(2, reused.path("seq").asLong());
      Http.Reply overRest = rest(doc, 1, "[\"v3\",2]", "victim", 3, "");
      assertEquals(409, overRest.status(), overRest.body().toString());
      assertEquals("seq_reused", overRest.body().path("code").asText());

      // A base at or after the stored op cannot be verified: never acknowledged as it.
      victim.send(Messages.submit(doc, 3, "[\"v1\",6]", 1));
      assertEquals("seq_reused", untilType(victim, "error").path("code").asText());
    }
    assertEquals("v1t2t3", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
  }

  @Test
  void anotherUsersOpUnderTheSameClientIdIsForbidden() {
    String doc = Servers.freshDoc();
    Http.put(server, "/api/docs/" + doc, "");
    assertEquals(200, rest(doc, 0, "[\"x\"]", "shared", 1, "ann").status());
    Http.Reply same = rest(doc, 0, "[\"x\"]", "shared", 1, "ann");
    assertEquals(1, same.body().path("rev").asLong(), same.body().toString());
    Http.Reply other = rest(doc, 0, "[\"x\"]", "shared", 1, "ben");
    assertEquals(403, other.status(), other.body().toString());
    assertEquals("forbidden", other.body().path("code").asText());
  }

  @Test
  void aResubmitOfAnOpStillBeingSequencedIsCheckedToo() throws InterruptedException {
    // (The copies take the in-flight path; the commit-then-history path gives the same answers.)
    String doc = Servers.freshDoc();
    try (WsClient alice = WsClient.hello(server, "alice-f")) {
      alice.send(Messages.open(doc));
      alice.next("opened");
      alice.send(Messages.submit(doc, 0, "[\"a\"]", 1));
      assertEquals(1, alice.next("ack").path("rev").asLong());
      // Bob's op waits on its way to the committer: alice's submits gather behind it and go into
      // the next group together, so the copies of seq 2 meet seq 2 on its way to be stored.
      assertEquals(2, rest(doc, 1, "[1,\"b\"]", "bob-f", 1, "").body().path("rev").asLong());
      alice.next("op");
      Freeze freeze = new Freeze(new CountDownLatch(1), new CountDownLatch(1));
      frozen.put(doc, freeze);
      rest(doc, 2, "[2,\"c\"]", "bob-f", 2, "", false); // revision 3
      assertTrue(freeze.entered().await(WsClient.WAIT.toSeconds(), TimeUnit.SECONDS));
      alice.send(Messages.submit(doc, 1, "[1,\"A\"]", 2)); // revision 4, as [1,"A",2]
      alice.send(Messages.submit(doc, 1, "[1,\"A\"]", 2)); // the same op again
      alice.send(Messages.submit(doc, 1, "[\"Z\",1]", 2)); // another op, same seq
      ClientHarness.await(
          () -> server.sequencers().queuedSubmits() == 4, () -> "bob's op and alice's three");
      freeze.release().countDown();
      List<String> outcomes = new ArrayList<>();
      while (outcomes.size() < 3) {
        ObjectNode message = alice.next();
        String type = message.path("type").asText();
        if (type.equals("ack")) {
          outcomes.add("ack " + message.path("rev").asLong());
        } else if (type.equals("error")) {
          outcomes.add(message.path("code").asText());
        }
      }
      Collections.sort(outcomes);
      assertEquals(List.of("ack 4", "ack 4", "seq_reused"), outcomes);
    }
    JsonNode ops = Http.get(server, "/api/docs/" + doc + "/ops").body().path("ops");
    assertEquals(4, ops.size(), ops.toString());
    assertEquals("aAbc", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
  }

  private static ObjectNode untilType(WsClient client, String type) {
    List<ObjectNode> messages = client.until(type);
    return messages.get(messages.size() - 1);
  }

  private static Http.Reply rest(
      String doc, long rev, String op, String client, long seq, String token) {
    return rest(doc, rev, op, client, seq, token, true);
  }

  /** A REST submit; with {@code await} false it is sent without waiting for the answer. */
  private static Http.Reply rest(
      String doc, long rev, String op, String client, long seq, String token, boolean await) {
    String body =
        "{\"rev\":" + rev + ",\"op\":" + op + ",\"client\":\"" + client + "\",\"seq\":" + seq + "}";
    HttpRequest.Builder request =
        Http.request(server, "/api/docs/" + doc + "/ops")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (!token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    if (!await) {
      Http.client().sendAsync(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      return null;
    }
    return Http.send(request.build());
  }
}
