package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.persistence.Database;
import dev.tandem.persistence.DatabaseConfig;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.MetricsToken;
import dev.tandem.sequencer.auth.TokenAuthorizer;
import dev.tandem.sequencer.auth.TokenVerifier;
import dev.tandem.sequencer.auth.Tokens;
import dev.tandem.sequencer.config.Logging;
import dev.tandem.sequencer.error.BadRequestLog;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.event.Level;

/**
 * Issue 16: the log has one line per meaningful event, with the document's and client's ids
 * (connection opened and closed with its close code, document loaded and unloaded, an error with
 * its code, the database going away and coming back), none per op, and never a token.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class LogEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eachEventIsOneLineWithItsIdsAndOpsAreNotLogged() throws Exception {
    DatabaseConfig shared = EmbeddedPostgresExtension.database().connectionConfig();
    URI jdbc = URI.create(shared.url().substring("jdbc:".length()));
    String doc = Servers.freshDoc();
    try (CapturedLog log = new CapturedLog(Level.INFO, Logging.Format.TEXT);
        TcpProxy proxy = new TcpProxy(jdbc.getHost(), jdbc.getPort());
        Database database =
            Database.open(
                new DatabaseConfig(
                    shared.url().replace(":" + jdbc.getPort() + "/", ":" + proxy.port() + "/"),
                    shared.user(),
                    shared.password(),
                    2,
                    shared.dataDirectory()));
        TandemServer server =
            Servers.start(
                Servers.config()
                    .idleUnloadAfter(Duration.ofSeconds(1))
                    .badMessageLimit(1000) // the invalid op may be sent more than once, below
                    .build(),
                database)) {
      try (WsClient ada = WsClient.hello(server, "ada-log")) {
        ada.send(Messages.open(doc));
        ada.next("opened");
        for (int seq = 1; seq <= 20; seq++) {
          ada.send(
              Messages.submit(
                  doc, seq - 1, seq == 1 ? "[\"a\"]" : "[" + (seq - 1) + ",\"a\"]", seq));
          ada.next("ack");
        }
        String invalid = Messages.submit(doc, 20, "[1.5]", 21);
        answeredAndLogged(ada, invalid, log, "code=\"invalid_op\"", "seq=\"21\"");

        proxy.cut();
        String unstored = Messages.submit(doc, 20, "[20,\"b\"]", 21);
        answeredAndLogged(ada, unstored, log, "code=\"unavailable\"", "client=\"ada-log\"");
        proxy.restore();
        await(log, "database reachable again");
      }
      await(log, "connection closed");
      await(log, "document unloaded");

      List<String> lines = log.lines();
      String all = String.join("\n", lines);
      assertOne(lines, "connection opened", "client=\"ada-log\"", "user=\"anonymous\"");
      assertOne(lines, "connection closed", "client=\"ada-log\"", "code=\"1000\"");
      assertOne(lines, "document loaded", "doc=\"" + doc + "\"");
      assertOne(lines, "document unloaded", "doc=\"" + doc + "\"", "rev=\"20\"");
      assertTrue(
          lines.stream()
              .anyMatch(
                  line ->
                      line.contains("error answered")
                          && line.contains("doc=\"" + doc + "\"")
                          && line.contains("client=\"ada-log\"")
                          && line.contains("code=\"invalid_op\"")),
          all);
      assertOne(lines, "WARN", "database unreachable");
      assertOne(lines, "database reachable again");
      long aboutTheDocument = lines.stream().filter(line -> line.contains(doc)).count();
      assertTrue(aboutTheDocument <= 6, "no line per op:\n" + all);
      for (String line : lines) { // every record, not the stack traces that follow some
        if (line.matches(".*\\b(TRACE|DEBUG|INFO|WARN|ERROR) +\\[.*")) {
          assertTrue(
              line.matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z .*"),
              "a timestamp: " + line);
        }
      }
    }
  }

  /**
   * A token used every way a client can (hello, a refresh on the socket, the Authorization header,
   * the access_token parameter, a forged one that is refused) never shows in the log, at debug and
   * in JSON.
   */
  @Test
  void aTokenUsedInASessionNeverAppearsInTheLog() throws Exception {
    TokenVerifier verifier = TokenVerifier.builder().secret(Tokens.SECRET).build();
    String doc = Servers.freshDoc();
    String token = WebSocketTokenTest.token("ada", Map.of("*", "write"));
    String refreshed = WebSocketTokenTest.token("ada", Map.of("*", "write", "other-*", "read"));
    String forged = token.substring(0, token.length() - 4) + "AAAA";
    String metricsToken = "metrics-token-that-is-long-enough";
    String text;
    try (CapturedLog log = new CapturedLog(Level.DEBUG, Logging.Format.JSON);
        TandemServer server =
            TandemServer.builder()
                .config(
                    Servers.config()
                        .metricsToken(MetricsToken.fromValue(metricsToken, "test"))
                        .build())
                .database(EmbeddedPostgresExtension.database())
                .authorizer(new TokenAuthorizer(verifier))
                .build()
                .start()) {
      try (WsClient ada = WebSocketTokenTest.hello(server, token, "ada-token")) {
        ada.next("welcome");
        ada.send(Messages.open(doc));
        ada.next("opened");
        ada.send(Messages.submit(doc, 0, "[\"x\"]", 1));
        ada.next("ack");
        ada.send(WebSocketTokenTest.auth(refreshed));
        ada.next("authed");
      }
      try (WsClient mallory = WebSocketTokenTest.hello(server, forged, "mallory")) {
        assertEquals("unauthorized", mallory.next("error").path("code").asText());
      }
      HttpRequest bearer =
          Http.request(server, "/api/docs/" + doc)
              .header("Authorization", "Bearer " + token)
              .GET()
              .build();
      assertEquals(200, Http.send(bearer).status());
      String query = URLEncoder.encode(token, StandardCharsets.UTF_8);
      assertEquals(200, Http.get(server, "/api/docs/" + doc + "?access_token=" + query).status());
      HttpRequest forgedBearer =
          Http.request(server, "/api/docs/" + doc)
              .header("Authorization", "Bearer " + forged)
              .GET()
              .build();
      assertEquals(401, Http.send(forgedBearer).status());
      HttpRequest metrics =
          Http.request(server, "/metrics")
              .header("Authorization", "Bearer " + metricsToken + "x")
              .GET()
              .build();
      assertEquals(401, Http.send(metrics).status());
      await(log, "connection closed");
      text = log.text();

      List<String> json = log.lines().stream().filter(line -> line.startsWith("{")).toList();
      assertFalse(json.isEmpty(), text);
      JsonNode opened =
          json.stream()
              .map(LogEventsTest::parse)
              .filter(line -> "connection opened".equals(line.path("formattedMessage").asText()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no connection opened in\n" + text));
      assertEquals("INFO", opened.path("level").asText());
      assertTrue(opened.path("timestamp").isIntegralNumber(), opened.toString());
      assertTrue(opened.path("kvpList").toString().contains("ada-token"), opened.toString());
    }
    for (String secret :
        List.of(
            token, refreshed, forged, metricsToken, Tokens.SECRET_TEXT, token.split("\\.")[2])) {
      assertFalse(text.contains(secret), "the log holds a secret:\n" + text);
    }
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (Exception e) {
      throw new AssertionError("not JSON: " + line, e);
    }
  }

  /**
   * Sends {@code message} until its error is logged: the log of errors answered is rate-limited for
   * the whole JVM, and the tests before this one may have used up the current interval.
   */
  private static void answeredAndLogged(
      WsClient client, String message, CapturedLog log, String code, String id)
      throws InterruptedException {
    long deadline = System.nanoTime() + 3 * BadRequestLog.INTERVAL.toNanos();
    do {
      client.send(message);
      assertEquals(
          code.substring("code=\"".length(), code.length() - 1),
          client.next("error").path("code").asText());
      if (log.lines().stream()
          .anyMatch(l -> l.contains("error answered") && l.contains(code) && l.contains(id))) {
        return;
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no line for " + code + " " + id + " in\n" + log.text());
  }

  /** Exactly one line has every one of {@code parts}. */
  private static void assertOne(List<String> lines, String... parts) {
    List<String> matching =
        lines.stream().filter(line -> List.of(parts).stream().allMatch(line::contains)).toList();
    assertEquals(1, matching.size(), String.join(" ", parts) + " in\n" + String.join("\n", lines));
  }

  private static void await(CapturedLog log, String text) throws InterruptedException {
    ClientHarness.await(() -> log.text().contains(text), () -> "'" + text + "' in\n" + log.text());
  }
}
