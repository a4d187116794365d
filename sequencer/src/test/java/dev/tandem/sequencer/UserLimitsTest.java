package dev.tandem.sequencer;

import static dev.tandem.sequencer.WebSocketTokenTest.hello;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.TokenAuthorizer;
import dev.tandem.sequencer.auth.TokenVerifier;
import dev.tandem.sequencer.auth.Tokens;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The limits of one user across its WebSockets: connections open at once ({@code
 * max-connections-per-user}, 2 here) and messages a second ({@code
 * max-messages-per-second-per-user}, 2 here, far below the per-socket limit), on a server with
 * signed tokens.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class UserLimitsTest {
  private static TokenVerifier verifier;
  private static TandemServer server;

  @BeforeAll
  static void start() {
    verifier = TokenVerifier.builder().secret(Tokens.SECRET).build();
    server =
        TandemServer.builder()
            .config(
                Servers.config()
                    .maxConnectionsPerUser(2)
                    .maxMessagesPerSecondPerUser(2)
                    .maxMessagesPerSecond(1000)
                    .build())
            .database(EmbeddedPostgresExtension.database())
            .authorizer(new TokenAuthorizer(verifier))
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    server.close();
    verifier.close();
  }

  private static String token(String sub) {
    return WebSocketTokenTest.token(sub, Map.of("*", "write"));
  }

  @Test
  void aUsersConnectionsOverTheLimitAreRateLimitedWith1013() throws InterruptedException {
    try (WsClient first = hello(server, token("dave"), "dave-1");
        WsClient second = hello(server, token("dave"), "dave-2");
        WsClient other = hello(server, token("erin"), "erin-1")) {
      first.next("welcome");
      second.next("welcome");
      other.next("welcome");
      try (WsClient third = hello(server, token("dave"), "dave-3")) {
        ObjectNode refused = third.next("error");
        assertEquals("rate_limited", refused.path("code").asText());
        assertEquals(1013, third.awaitClose());
      }

      first.close(); // its place frees once the server has seen the close
      for (int attempt = 0; ; attempt++) {
        try (WsClient again = hello(server, token("dave"), "dave-4")) {
          ObjectNode answer = again.next();
          if (answer.path("type").asText().equals("welcome")) {
            break;
          }
          assertEquals("rate_limited", answer.path("code").asText(), answer.toString());
        }
        if (attempt == 200) {
          fail("the closed connection's place was never freed");
        }
        Thread.sleep(50);
      }
    }
  }

  @Test
  void aUsersMessageRateCountsAllItsSockets() {
    try (WsClient first = hello(server, token("frank"), "frank-1");
        WsClient second = hello(server, token("frank"), "frank-2");
        WsClient other = hello(server, token("gina"), "gina-1")) {
      first.next("welcome");
      second.next("welcome");
      other.next("welcome");
      for (int i = 0; i < 10; i++) {
        first.send("{\"type\":\"ping\"}");
        second.send("{\"type\":\"ping\"}");
      }
      int limited = 0;
      for (WsClient socket : new WsClient[] {first, second}) {
        for (int i = 0; i < 10; i++) {
          ObjectNode answer = socket.next();
          if (answer.path("type").asText().equals("error")) {
            assertEquals("rate_limited", answer.path("code").asText());
            assertTrue(answer.path("retryable").asBoolean());
            assertTrue(
                answer.path("message").asText().contains("this user's connections"),
                answer.toString());
            limited++;
          } else {
            assertEquals("pong", answer.path("type").asText(), answer.toString());
          }
        }
      }
      // 20 messages, 2 a second in bursts of 2: all but a few are refused unless sending them
      // took many seconds; each socket alone is far below its own limit of 1,000.
      assertTrue(limited >= 10, limited + " refused");

      other.send("{\"type\":\"ping\"}");
      other.next("pong"); // another user is not limited by frank's rate
    }
  }
}
