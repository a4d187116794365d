package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Inputs the fuzzer ({@code bench/…/fuzz}) found breaking the server, each replayed alone. */
@ExtendWith(EmbeddedPostgresExtension.class)
class FuzzFindingsTest {

  /**
   * A presence whose meta holds a lone surrogate (a JSON escape, so the frame is valid UTF-8) was
   * relayed as it came: Tyrus cannot encode it, so the {@code open} of every later joiner of the
   * document failed in the sequencer, and that joiner's socket got nothing more. It is refused.
   */
  @Test
  void aLoneSurrogateInPresenceMetaIsRefusedAndBreaksNoOneElse() {
    String doc = Servers.freshDoc();
    try (TandemServer server = Servers.start();
        WsClient ada = WsClient.hello(server, "ada-meta");
        WsClient bob = WsClient.hello(server, "bob-meta")) {
      ada.send(Messages.open(doc));
      ada.next("opened");
      ada.send(
          "{\"type\":\"presence\",\"doc\":\""
              + doc
              + "\",\"rev\":0,\"selection\":[[0,0]],\"meta\":{\"name\":\"a\\ud800\"}}");
      assertEquals("bad_request", ada.next("error").path("code").asText());

      bob.send(Messages.open(doc));
      assertEquals("", bob.next("opened").path("text").asText());
      bob.send("{\"type\":\"ping\"}");
      bob.next("pong"); // bob's socket still answers
    }
  }

  /**
   * An error frame echoed the {@code doc} of the refused message as sent: a lone surrogate (a JSON
   * escape) made the frame unencodable, Tyrus threw an Error from inside the outbox, and the socket
   * never sent anything again. The echo is now well-formed, and an unencodable frame closes the
   * socket instead of silencing it.
   */
  @Test
  void anErrorAboutADocumentIdWithALoneSurrogateLeavesTheSocketAnswering() {
    try (TandemServer server = Servers.start();
        WsClient eve = WsClient.hello(server, "eve-doc")) {
      eve.send("{\"type\":\"submit\",\"doc\":\"\\udc00\",\"rev\":0,\"op\":[\"a\"],\"seq\":1}");
      com.fasterxml.jackson.databind.node.ObjectNode error = eve.next("error");
      assertEquals("bad_request", error.path("code").asText());
      assertEquals("\ufffd", error.path("doc").asText());
      eve.send("{\"type\":\"ping\"}");
      eve.next("pong"); // the socket still answers
    }
  }
}
