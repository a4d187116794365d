package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 9: a request target with a malformed percent escape, escapes that are not UTF-8,
 * or a control character gets 400 {@code bad_request} with the JSON error body, whichever handler
 * it is for (REST, SSE, static files, the WebSocket upgrade, health), and no stack trace is logged.
 * It used to get an empty 500, or no answer at all and a stack trace per request.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class MalformedPathsTest {
  private static final List<String> PREFIXES =
      List.of("/api/docs/", "/api/docs/d/ops?x=", "/api/docs/d/events/", "/", "/ws/", "/healthz/");
  private static final List<String> MALFORMED =
      List.of("%ff", "%", "%z", "%zz", "a%f", "%c0%af", "%e0%80%af", "%ed%a0%80", "%f4%90%80%80");

  @TempDir static Path web;
  private static TandemServer server;
  private static final List<LogRecord> grizzlyLog = new CopyOnWriteArrayList<>();
  private static final Handler recorder = StaticFilesTest.recordInto(grizzlyLog);

  @BeforeAll
  static void start() throws IOException {
    Files.writeString(web.resolve("index.html"), "<p>demo</p>");
    Logger.getLogger("org.glassfish").addHandler(recorder);
    server = Servers.start(Servers.config().staticDir(web).build());
  }

  @AfterAll
  static void stop() {
    server.close();
    Logger.getLogger("org.glassfish").removeHandler(recorder);
  }

  @Test
  void everyMalformedEscapeIsABadRequestWithTheJsonBodyForEveryHandler() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (String prefix : PREFIXES) {
      for (String malformed : MALFORMED) {
        String target = prefix + malformed;
        Answer answer = Answer.of(send(get(target, "close")));
        if (answer.status() != 400 || !"bad_request".equals(answer.code())) {
          wrong.add(target + " -> " + answer);
        }
      }
    }
    assertEquals(List.of(), wrong);
    assertEquals(List.of(), grizzlyLog.stream().map(LogRecord::getMessage).toList());
  }

  /** Found by the fuzzer: {@code PUT /api/docs/..} reached Jersey as {@code /api} and got 500. */
  @Test
  void dotSegmentsAreBadRequestsForEveryMethod() throws IOException {
    for (String target :
        List.of(
            "/api/docs/.", "/api/docs/..", "/api/docs/%2e", "/api/docs/./ops", "/api/./docs/d")) {
      for (String method : List.of("GET", "PUT", "POST", "DELETE")) {
        String request =
            method
                + " "
                + target
                + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
        Answer answer = Answer.of(send(request));
        // Grizzly refuses some of these itself, with an empty 400 body, before this filter runs.
        assertEquals(400, answer.status(), method + " " + target + " -> " + answer);
      }
    }
    // The id rule refuses the two ids a URL cannot carry; dots inside an id stay allowed.
    assertTrue(dev.tandem.persistence.Ids.documentIdProblem("..") != null);
    assertTrue(dev.tandem.persistence.Ids.documentIdProblem(".") != null);
    String dotted = EmbeddedPostgresExtension.freshDocId("d..d");
    assertEquals(201, Http.put(server, "/api/docs/" + dotted, "{}").status());
  }

  @Test
  void controlCharactersAndBytesOutsideAsciiAreBadRequests() throws IOException {
    for (String target : List.of("/api/docs/%00", "/api/docs/a%0Ab", "/%7f", "/api/docs/\u00ff")) {
      Answer answer = Answer.of(send(get(target, "close")));
      assertEquals(400, answer.status(), target + " -> " + answer);
      assertEquals("bad_request", answer.code(), target + " -> " + answer);
    }
  }

  /**
   * A request line that is not HTTP (a raw byte, a space inside the target, no version or another
   * protocol's) is refused by Grizzly's codec before any handler: 400 {@code bad_request} with the
   * JSON body and the connection closed, never 505 (Version Not Supported). Found by the fuzzer.
   */
  @Test
  void requestLinesThatAreNotHttpAreBadRequestsAndTheConnectionIsClosed() throws IOException {
    List<String> wrong = new ArrayList<>();
    for (String line :
        List.of(
            "GET /a b HTTP/1.1",
            "GET /api/docs/d x HTTP/1.1",
            "GET / HTTP/1.1 extra",
            "GET / HTTP/9.9",
            "GET / HTTPS/1.1",
            "GET / FOO",
            "\u0000\u0001\u00ff\u007f garbage",
            "\u00ff\u00fe\u00fd\u00fc")) {
      String raw = send(line + "\r\nHost: localhost\r\n\r\n"); // returns once the server closes
      Answer answer = Answer.of(raw);
      if (answer.status() != 400 || !"bad_request".equals(answer.code())) {
        wrong.add(
            line.chars()
                    .mapToObj(
                        c ->
                            c < 0x20 || c > 0x7e
                                ? "\\x" + Integer.toHexString(c)
                                : Character.toString(c))
                    .reduce("", String::concat)
                + " -> "
                + raw);
      }
    }
    assertEquals(List.of(), wrong);
    // With headers the codec refuses, its own plain 400 (it used to fail to write it, on the
    // unknown version: a GRIZZLY0013 warning and no answer).
    for (String line : List.of("GET / FOO", "GET /a b HTTP/1.1", "\u00ff\u00fe garbage")) {
      String tooLarge = line + "\r\nX-Long: " + "a".repeat(20_000) + "\r\n\r\n";
      assertEquals(400, Answer.of(send(tooLarge)).status(), line);
    }
    // The server serves on, a target in absolute form too (the codec takes its path).
    assertEquals(200, Answer.of(send(get("/index.html", "close"))).status());
    assertEquals(200, Answer.of(send(get("http://localhost/index.html", "close"))).status());
    assertEquals(List.of(), grizzlyLog.stream().map(LogRecord::getMessage).toList());
  }

  @Test
  void aWebSocketUpgradeWithABadPathIsAnsweredAndClosed() throws IOException {
    String upgrade =
        "GET /ws%ff HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    Answer answer = Answer.of(send(upgrade));
    assertEquals(400, answer.status(), answer.toString());
    assertEquals("bad_request", answer.code());
  }

  @Test
  void aWebSocketUpgradeWithoutItsKeyIsABadRequest() throws IOException {
    String upgrade =
        "GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    Answer answer = Answer.of(send(upgrade));
    assertEquals(400, answer.status(), answer.toString());
    assertEquals("bad_request", answer.code());
  }

  @Test
  void aBodyIsReadToItsEndAndWellFormedTargetsAreServedAsBefore() throws IOException {
    String post =
        "POST /api/docs/%ff/ops HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Content-Length: 2\r\n\r\n{}";
    Answer refused = Answer.of(send(post));
    assertEquals(400, refused.status(), refused.toString());
    assertTrue(refused.message().contains("UTF-8"), refused.toString());

    assertEquals(200, Answer.of(send(get("/index.html", "close"))).status());
    assertEquals(200, Answer.of(send(get("/ind%65x.html", "close"))).status());
    Answer missing = Answer.of(send(get("/api/docs/%F0%9F%98%80?x=a+b%20c%C3%A9", "close")));
    assertEquals(400, missing.status(), missing.toString()); // an emoji is no document id
    assertTrue(missing.message().startsWith("document id"), missing.toString());
    assertEquals(
        404,
        Answer.of(send(get("/api/docs/" + Servers.freshDoc() + "?x=%C3%A9", "close"))).status());
    assertEquals(404, Answer.of(send(get("/%2e%2e/secret.txt", "close"))).status());
  }

  private record Answer(int status, ObjectNode body, String raw) {
    static Answer of(String response) {
      int status = Integer.parseInt(response.substring(9, 12));
      int bodyStart = response.indexOf("\r\n\r\n") + 4;
      String body = response.substring(bodyStart);
      return new Answer(
          status, body.startsWith("{") ? Json.parseObject(body) : Json.object(), response);
    }

    String code() {
      return body.path("code").asText();
    }

    String message() {
      return body.path("message").asText();
    }
  }

  private static String get(String target, String connection) {
    return "GET "
        + target
        + " HTTP/1.1\r\nHost: localhost\r\nConnection: "
        + connection
        + "\r\n\r\n";
  }

  /** Sends the request byte for byte (ISO-8859-1); returns everything until the server closes. */
  private static String send(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout((int) WsClient.WAIT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
