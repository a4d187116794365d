package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.client.TandemClient;
import dev.tandem.client.TandemDocument;
import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.error.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One client-java client with two documents that two nodes own, one each (docs/scaling.md): it
 * follows the redirect on a socket of its own to the second owner and keeps its socket to the
 * first, so it is redirected once, not bounced between the nodes, and both documents stay open at
 * once.
 */
class ClientTwoOwnersTest {
  private static final String RUN = Long.toString(System.currentTimeMillis(), 36);
  private TandemServer a;
  private TandemServer b;

  @BeforeEach
  void twoNodes() {
    a = Servers.start(Servers.config().nodeId("owner-a-" + RUN).build());
    b = Servers.start(Servers.config().nodeId("owner-b-" + RUN).build());
  }

  @AfterEach
  void stopNodes() {
    b.close();
    a.close();
  }

  @Test
  void aClientOfTwoOwnersIsRedirectedOnceAndKeepsBothDocumentsOpen() throws Exception {
    String docA = Servers.freshDoc();
    String docB = Servers.freshDoc();
    try (WsClient ownerA = WsClient.hello(a, "owner-a-" + RUN);
        WsClient ownerB = WsClient.hello(b, "owner-b-" + RUN);
        TandemClient client = client()) {
      ownerA.send(Messages.open(docA)); // each node takes the lease of its document
      ownerA.next("opened");
      ownerB.send(Messages.open(docB));
      ownerB.next("opened");

      TandemDocument one = client.open(docA).get(30, TimeUnit.SECONDS);
      TandemDocument two = client.open(docB).get(30, TimeUnit.SECONDS); // redirected to b
      for (int i = 0; i < 5; i++) {
        one.edit(text -> append(text, "a")).get(30, TimeUnit.SECONDS);
        two.edit(text -> append(text, "b")).get(30, TimeUnit.SECONDS);
      }
      one.whenSynchronized().get(30, TimeUnit.SECONDS);
      two.whenSynchronized().get(30, TimeUnit.SECONDS);

      // both subscriptions are live at once: the owners' ops (on their revision 0) reach the client
      ownerA.send(Messages.submit(docA, 0, "[\"A\"]", 1));
      ownerB.send(Messages.submit(docB, 0, "[\"B\"]", 1));
      ClientHarness.await(
          () -> one.text().contains("A") && two.text().contains("B"),
          () -> "the owners' ops: " + one.text() + " / " + two.text());
      assertEquals(List.of(6, 6), List.of(one.text().length(), two.text().length()));

      // both sockets lost: each reconnects to its own node, where its document reopens
      client.dropConnection();
      one.edit(text -> append(text, "a")).get(30, TimeUnit.SECONDS);
      two.edit(text -> append(text, "b")).get(30, TimeUnit.SECONDS);
      one.whenSynchronized().get(30, TimeUnit.SECONDS);
      two.whenSynchronized().get(30, TimeUnit.SECONDS);
      assertEquals(List.of(7, 7), List.of(one.text().length(), two.text().length()));
      assertEquals(
          1,
          a.sequencers().metrics().errors(ErrorCode.MOVED)
              + b.sequencers().metrics().errors(ErrorCode.MOVED),
          "one redirect (of the second document to b), no bounce");
    }
  }

  @Test
  void aDocumentWhoseOwnerStopsGoesBackToTheSeedNode() throws Exception {
    String docA = Servers.freshDoc();
    String docB = Servers.freshDoc();
    try (TandemClient client = client()) {
      try (WsClient ownerB = WsClient.hello(b, "owner-b2-" + RUN)) {
        ownerB.send(Messages.open(docB)); // b takes the lease
        ownerB.next("opened");
      }
      TandemDocument one = client.open(docA).get(30, TimeUnit.SECONDS);
      TandemDocument two = client.open(docB).get(30, TimeUnit.SECONDS); // redirected to b
      two.edit(text -> append(text, "b")).get(30, TimeUnit.SECONDS);
      two.whenSynchronized().get(30, TimeUnit.SECONDS);

      b.close(); // graceful: b is dead at once, and the client's socket to it closes
      two.edit(text -> append(text, "c")).get(30, TimeUnit.SECONDS);
      one.edit(text -> append(text, "a")).get(30, TimeUnit.SECONDS);
      two.whenSynchronized().get(30, TimeUnit.SECONDS); // on a, which took the document over
      one.whenSynchronized().get(30, TimeUnit.SECONDS);

      assertEquals("bc", harnessText(docB));
      assertEquals("a", harnessText(docA));
      assertEquals(List.of("bc", "a"), List.of(two.text(), one.text()));
    }
  }

  private TandemClient client() {
    return TandemClient.builder(a.webSocketUri())
        .clientId("two-owners-" + RUN + "-" + System.nanoTime())
        .connectTimeout(Duration.ofSeconds(2))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(400))
        .build();
  }

  private String harnessText(String docId) throws Exception {
    try (ClientHarness harness = new ClientHarness(1)) {
      return harness.restDocument(a.httpUri(), docId).path("text").asText();
    }
  }

  private static TextOperation append(String text, String inserted) {
    return TextOperation.builder()
        .retain(text.codePointCount(0, text.length()))
        .insert(inserted)
        .build();
  }
}
