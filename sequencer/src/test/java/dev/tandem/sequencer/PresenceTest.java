package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Presence on the wire (issue 12): a joiner hears of every client present, idle ones included, and
 * they of it; a published caret reaches a joiner moved to the head; a client id on a second socket
 * stays present when its first socket goes.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class PresenceTest {
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aJoinerHearsOfAnIdleClientAtOnceAndTheIdleClientOfTheJoiner() {
    String doc = Servers.freshDoc();
    try (WsClient idle = WsClient.hello(server, "idle-p1");
        WsClient joiner = WsClient.hello(server, "joiner-p1")) {
      idle.send(Messages.open(doc));
      idle.next("opened");
      idle.send(Messages.submit(doc, 0, "[\"hello\"]", 1));
      idle.next("ack");

      joiner.send(Messages.open(doc));
      assertEquals(1, joiner.next("opened").path("rev").asLong());
      ObjectNode present = joiner.next("presence");
      assertEquals("idle-p1", present.path("client").asText());
      assertEquals("anonymous", present.path("user").asText());
      assertEquals(1, present.path("rev").asLong());
      assertEquals("[]", present.path("selection").toString());
      assertEquals("{}", present.path("meta").toString());
      assertFalse(present.has("left"));

      ObjectNode announced = idle.next("presence");
      assertEquals("joiner-p1", announced.path("client").asText());
      assertEquals("[]", announced.path("selection").toString());
      assertEquals(1, announced.path("rev").asLong());
    }
  }

  @Test
  void aJoinerGetsAPublishedCaretMovedThroughTheOpsCommittedSince() {
    String doc = Servers.freshDoc();
    try (WsClient ada = WsClient.hello(server, "ada-p2");
        WsClient bob = WsClient.hello(server, "bob-p2")) {
      ada.send(Messages.open(doc));
      ada.next("opened");
      ada.send(Messages.submit(doc, 0, "[\"hello\"]", 1));
      ada.next("ack");
      ada.send(Messages.presence(doc, 1, 5, 5)); // after 'hello'
      ada.send("{\"type\":\"ping\"}");
      ada.next("pong"); // the presence is queued for the document before bob's open
      bob.send(Messages.open(doc));
      bob.next("opened");
      assertEquals("[[5,5]]", bob.next("presence").path("selection").toString());
      bob.send(Messages.submit(doc, 1, "[\"😀X\",5]", 1)); // two code points before ada's caret
      bob.next("ack");
      bob.send(Messages.submit(doc, 2, "[7,\"!\"]", 2)); // at ada's caret: the caret moves on
      bob.next("ack");

      try (WsClient carol = WsClient.hello(server, "carol-p2")) {
        carol.send(Messages.open(doc));
        assertEquals(3, carol.next("opened").path("rev").asLong());
        ObjectNode adaSeen = carol.next("presence");
        assertEquals("ada-p2", adaSeen.path("client").asText());
        assertEquals(3, adaSeen.path("rev").asLong());
        assertEquals("[[8,8]]", adaSeen.path("selection").toString());
        assertEquals("Ada", adaSeen.path("meta").path("name").asText());
        ObjectNode bobSeen = carol.next("presence");
        assertEquals("bob-p2", bobSeen.path("client").asText());
        assertEquals("[]", bobSeen.path("selection").toString());
      }
    }
  }

  @Test
  void aClientOnASecondSocketStaysPresentWhenItsFirstSocketGoes() {
    String doc = Servers.freshDoc();
    try (WsClient bob = WsClient.hello(server, "bob-p3");
        WsClient adaOld = WsClient.hello(server, "ada-p3")) {
      bob.send(Messages.open(doc));
      bob.next("opened");
      adaOld.send(Messages.open(doc));
      adaOld.next("opened");
      assertEquals("ada-p3", bob.next("presence").path("client").asText());

      // ada reconnected before her old socket was found dead
      try (WsClient adaNew = WsClient.hello(server, "ada-p3")) {
        adaNew.send(Messages.open(doc));
        adaNew.next("opened");
        assertEquals("bob-p3", adaNew.next("presence").path("client").asText());
        assertEquals("ada-p3", bob.next("presence").path("client").asText(), "announced again");
        adaNew.send(Messages.presence(doc, 0, 0, 0));
        assertEquals("[[0,0]]", bob.next("presence").path("selection").toString());

        adaOld.close();
        ObjectNode afterOldWent = bob.next("presence");
        assertEquals("ada-p3", afterOldWent.path("client").asText());
        assertFalse(afterOldWent.has("left"), "ada is still here: " + afterOldWent);
        assertEquals("[[0,0]]", afterOldWent.path("selection").toString());
        assertFalse(adaNew.hasPresence(), "a client hears nothing of its own id");
      }
      ObjectNode left = bob.next("presence");
      assertEquals("ada-p3", left.path("client").asText());
      assertTrue(left.path("left").asBoolean());
    }
  }
}
