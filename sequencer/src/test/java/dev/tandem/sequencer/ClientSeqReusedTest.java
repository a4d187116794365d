package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.client.ClientIdChange;
import dev.tandem.client.ErrorCode;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TandemDocument;
import dev.tandem.client.TandemException;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12, item 5, end to end: a second socket that says a Java client's id and takes its next seq
 * no longer erases the client's edit. The server answers the client's own op with {@code
 * seq_reused}, and the client stores it under a fresh client id; a client that sees the other op
 * committed under its id moves to a fresh id before it uses that seq.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ClientSeqReusedTest {

  private static TextOperation append(String text, String to) {
    return TextOperation.builder().retain(to.codePointCount(0, to.length())).insert(text).build();
  }

  private static TandemClient client(TandemServer server, String clientId) {
    return TandemClient.builder(server.webSocketUri())
        .clientId(clientId)
        .backoff(Duration.ofMillis(20), Duration.ofMillis(400))
        .build();
  }

  /** The thief: a raw socket that says {@code clientId} and stores {@code text} under seq 1. */
  private static void steal(TandemServer server, String clientId, String docId, String text) {
    try (WsClient thief = WsClient.hello(server, clientId)) {
      thief.send("{\"type\":\"open\",\"doc\":\"" + docId + "\"}");
      long revision = thief.next("opened").path("rev").asLong();
      thief.send(
          "{\"type\":\"submit\",\"doc\":\""
              + docId
              + "\",\"rev\":"
              + revision
              + ",\"op\":[\""
              + text
              + "\"],\"seq\":1}");
      thief.until("ack");
    }
  }

  private static List<String> clientsAndSeqs(List<JsonNode> ops) {
    return ops.stream()
        .map(op -> op.path("client").asText() + "/" + op.path("seq").asLong())
        .toList();
  }

  @Test
  void aRefusedOpIsStoredUnderAFreshClientId() throws Exception {
    String docId = Servers.freshDoc();
    String victimId = "victim-" + docId;
    try (TandemServer server = Servers.start();
        ClientHarness harness = new ClientHarness(12)) {
      steal(server, victimId, docId, "T"); // before the victim opens: it cannot see it coming
      try (TandemClient victim = client(server, victimId)) {
        List<ClientIdChange> changes = new CopyOnWriteArrayList<>();
        victim.addClientIdListener(changes::add);
        List<TandemException> errors = new CopyOnWriteArrayList<>();
        TandemDocument doc = victim.open(docId).get(30, TimeUnit.SECONDS);
        doc.addListener(
            new dev.tandem.client.DocumentListener() {
              @Override
              public void onError(TandemException error) {
                errors.add(error);
              }
            });
        doc.edit(text -> append(" mine😀", text)).get(30, TimeUnit.SECONDS); // victim seq 1
        doc.whenSynchronized().get(30, TimeUnit.SECONDS);

        assertEquals(ErrorCode.SEQ_REUSED, errors.get(0).code(), errors.toString());
        assertEquals(1, changes.size(), changes.toString());
        ClientIdChange change = changes.get(0);
        assertEquals(victimId, change.previousClientId());
        assertNotEquals(victimId, change.clientId());
        assertEquals(change.clientId(), victim.clientId());
        List<JsonNode> ops = harness.restOps(server.httpUri(), docId);
        assertEquals(List.of(victimId + "/1", change.clientId() + "/2"), clientsAndSeqs(ops));
        assertEquals(
            "T mine😀", harness.restDocument(server.httpUri(), docId).path("text").asText());
        assertEquals("T mine😀", doc.text());
      }
    }
  }

  @Test
  void aClientThatSeesItsIdTakenMovesToAFreshOneBeforeUsingTheSeq() throws Exception {
    String docId = Servers.freshDoc();
    String victimId = "watcher-" + docId;
    try (TandemServer server = Servers.start();
        ClientHarness harness = new ClientHarness(13);
        TandemClient victim = client(server, victimId)) {
      List<ClientIdChange> changes = new CopyOnWriteArrayList<>();
      victim.addClientIdListener(changes::add);
      TandemDocument doc = victim.open(docId).get(30, TimeUnit.SECONDS);
      steal(server, victimId, docId, "T"); // the victim has the document open and sees it
      ClientHarness.await(() -> !changes.isEmpty(), () -> "no new client id");
      doc.edit(text -> append(" mine", text)).get(30, TimeUnit.SECONDS);
      doc.whenSynchronized().get(30, TimeUnit.SECONDS);

      String fresh = changes.get(0).clientId();
      assertEquals(new ClientIdChange(victimId, fresh, docId, 1), changes.get(0));
      List<JsonNode> ops = harness.restOps(server.httpUri(), docId);
      assertEquals(List.of(victimId + "/1", fresh + "/1"), clientsAndSeqs(ops));
      assertEquals("T mine", doc.text());
    }
  }
}
