package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.auth.AllowedHosts;
import dev.tandem.sequencer.auth.AllowedOrigins;
import dev.tandem.sequencer.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: what a web page the user visits, or a DNS-rebinding page, can make the server do. A
 * cross-origin WebSocket upgrade is refused with 403 and an allowed one accepted; CORS answers
 * allowed origins only; a cross-site {@code text/plain} or form write changes nothing; a request
 * under a foreign {@code Host} is refused by every handler; one address opens a bounded number of
 * sockets. Raw sockets where a client library would set or rewrite the headers under test.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class BrowserEdgeTest {
  private static final String APP = "http://app.example:3000";
  private static final String EVIL = "https://evil.example";

  @TempDir static Path web;
  private static TandemServer server;

  @BeforeAll
  static void start() throws IOException {
    Files.writeString(web.resolve("index.html"), "<p>demo</p>");
    server =
        Servers.start(
            Servers.config().staticDir(web).allowedOrigins(AllowedOrigins.parse(APP)).build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aCrossOriginUpgradeIsRefusedAndAnAllowedOneAccepted() throws IOException {
    String self = "http://127.0.0.1:" + server.port();
    for (String origin : List.of(EVIL, "null", "http://127.0.0.1:1", "http://app.example")) {
      Answer refused = send(server, upgrade("/ws", self(), origin));
      assertEquals(403, refused.status(), origin);
      assertEquals("forbidden", refused.json().path("code").asText(), origin);
    }
    for (String origin : List.of(APP, self, "http://APP.example:3000")) {
      assertEquals(101, send(server, upgrade("/ws", self(), origin)).status(), origin);
    }
    assertEquals(101, send(server, upgrade("/ws", self(), null)).status(), "no Origin: no page");

    // and an allowed page's socket works
    try (WsClient client = WsClient.hello(server, "edge-allowed")) {
      client.send(Messages.open(Servers.freshDoc()));
      assertEquals("opened", client.next().path("type").asText());
    }
  }

  @Test
  void corsAnswersAllowedOriginsOnly() {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"hi\"}").status());

    HttpResponse<String> preflight =
        raw(
            Http.request(server, "/api/docs/" + doc + "/ops")
                .header("Origin", APP)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    assertEquals(204, preflight.statusCode());
    assertEquals(APP, header(preflight, "Access-Control-Allow-Origin"));
    assertEquals("GET, PUT, POST, DELETE", header(preflight, "Access-Control-Allow-Methods"));
    assertEquals(
        "Authorization, Content-Type, Last-Event-ID",
        header(preflight, "Access-Control-Allow-Headers"));
    assertEquals("Origin", header(preflight, "Vary"));

    HttpResponse<String> read =
        raw(Http.request(server, "/api/docs/" + doc).header("Origin", APP).GET());
    assertEquals(200, read.statusCode());
    assertEquals(APP, header(read, "Access-Control-Allow-Origin"));
    assertEquals("Origin", header(read, "Vary"));
    HttpResponse<String> missing =
        raw(Http.request(server, "/api/docs/" + doc + "-none").header("Origin", APP).GET());
    assertEquals(404, missing.statusCode());
    assertEquals(APP, header(missing, "Access-Control-Allow-Origin"), "errors are readable too");

    HttpResponse<String> refusedPreflight =
        raw(
            Http.request(server, "/api/docs/" + doc + "/ops")
                .header("Origin", EVIL)
                .header("Access-Control-Request-Method", "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    assertEquals(403, refusedPreflight.statusCode());
    assertTrue(refusedPreflight.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    assertTrue(refusedPreflight.headers().firstValue("Access-Control-Allow-Methods").isEmpty());
    for (String origin : List.of(EVIL, "null")) {
      HttpResponse<String> refused =
          raw(Http.request(server, "/api/docs/" + doc).header("Origin", origin).GET());
      assertEquals(403, refused.statusCode(), origin);
      assertEquals("forbidden", Json.parseObject(refused.body()).path("code").asText());
      assertTrue(refused.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), origin);
    }
    HttpResponse<String> refusedWrite =
        raw(
            Http.request(server, "/api/docs/" + doc + "/ops")
                .header("Origin", EVIL)
                .POST(HttpRequest.BodyPublishers.ofString("{\"rev\":0,\"op\":[2,\"!\"]}")));
    assertEquals(403, refusedWrite.statusCode());
    assertEquals("hi", Http.get(server, "/api/docs/" + doc).body().path("text").asText());

    // the stream too, from an allowed page
    HttpResponse<InputStream> events =
        Http.client()
            .sendAsync(
                Http.request(server, "/api/docs/" + doc + "/events")
                    .header("Origin", APP)
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream())
            .join();
    try (InputStream body = events.body()) {
      assertEquals(200, events.statusCode());
      assertEquals(APP, events.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aCrossSiteTextOrFormWriteWritesNothing() {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"hello\"}").status());
    String op = "{\"rev\":0,\"op\":[5,\" world\"]}";
    List<String> types =
        new ArrayList<>(
            List.of(
                "text/plain",
                "text/plain;charset=UTF-8",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
                "application/jsonx",
                "application/*"));
    for (String type : types) {
      assertRefused(raw(post("/api/docs/" + doc + "/ops", type, op)), type);
      String created = doc + "-" + types.indexOf(type);
      assertRefused(raw(put("/api/docs/" + created, type, "{\"text\":\"x\"}")), type);
      assertEquals(404, Http.get(server, "/api/docs/" + created).status(), type);
    }
    assertRefused(raw(post("/api/docs/" + doc + "/ops", null, op)), "no Content-Type");
    assertRefused(raw(post("/api/docs/" + doc + "/checkpoints", "text/plain", "")), "checkpoint");

    ObjectNode unchanged = Http.get(server, "/api/docs/" + doc).body();
    assertEquals(0, unchanged.path("rev").asLong());
    assertEquals("hello", unchanged.path("text").asText());
    assertEquals(0, Http.get(server, "/api/docs/" + doc + "/ops").body().path("ops").size());
    assertEquals(
        1, Http.get(server, "/api/docs/" + doc + "/checkpoints").body().path("checkpoints").size());

    // JSON with a charset is JSON
    HttpResponse<String> json =
        raw(post("/api/docs/" + doc + "/ops", "Application/JSON; charset=utf-8", op));
    assertEquals(200, json.statusCode(), json.body());
    assertEquals("hello world", Http.get(server, "/api/docs/" + doc).body().path("text").asText());
  }

  @Test
  void aForeignHostIsRefusedByEveryHandler() throws IOException {
    String doc = Servers.freshDoc();
    assertEquals(201, Http.put(server, "/api/docs/" + doc, "{\"text\":\"x\"}").status());
    List<String> paths =
        List.of("/api/docs/" + doc, "/api/docs/" + doc + "/events", "/healthz", "/index.html", "/");
    for (String host : List.of("rebound.example:" + server.port(), "rebound.example", "10.1.1.1")) {
      for (String path : paths) {
        Answer refused = send(server, get(path, host));
        assertEquals(403, refused.status(), host + path);
        assertEquals("forbidden", refused.json().path("code").asText(), host + path);
      }
      assertEquals(403, send(server, upgrade("/ws", host, null)).status(), host + " /ws");
      Answer write =
          send(
              server,
              "PUT /api/docs/"
                  + doc
                  + "-rebound HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
      assertEquals(403, write.status(), host + " PUT");
    }
    assertEquals(404, Http.get(server, "/api/docs/" + doc + "-rebound").status());

    for (String host : List.of("localhost:" + server.port(), "127.0.0.1", "LOCALHOST.", "[::1]")) {
      assertEquals(200, send(server, get("/api/docs/" + doc, host)).status(), host);
      assertEquals(200, send(server, get("/healthz", host)).status(), host);
      assertEquals(200, send(server, get("/index.html", host)).status(), host);
      assertEquals(101, send(server, upgrade("/ws", host, null)).status(), host);
    }
  }

  @Test
  void aListOfHostsServesThoseNamesOnly() throws IOException {
    try (TandemServer proxied =
        Servers.start(
            Servers.config().allowedHosts(AllowedHosts.parse("edit.example.com", true)).build())) {
      assertEquals(200, send(proxied, get("/healthz", "edit.example.com")).status());
      assertEquals(403, send(proxied, get("/healthz", "localhost")).status());
    }
  }

  @Test
  void oneAddressOpensABoundedNumberOfSockets() throws Exception {
    try (TandemServer limited =
            Servers.start(Servers.config().maxConnectionsPerAddress(2).build());
        WsClient first = WsClient.hello(limited, "limit-1")) {
      WsClient second = WsClient.hello(limited, "limit-2");
      Answer third = send(limited, upgrade("/ws", "127.0.0.1:" + limited.port(), null));
      assertEquals(429, third.status());
      assertEquals("rate_limited", third.json().path("code").asText());
      assertEquals(200, Http.get(limited, "/healthz").status(), "plain HTTP is not limited");

      second.close();
      // the slot is given back when the TCP connection closes, soon after the close handshake
      ClientHarness.await(
          () -> {
            try (Socket socket = new Socket("127.0.0.1", limited.port())) {
              return exchange(socket, upgrade("/ws", "127.0.0.1", null)).status() == 101;
            } catch (IOException e) {
              throw new AssertionError(e);
            }
          },
          () -> "a socket closed makes room for another");
      first.send(Messages.open(Servers.freshDoc()));
      assertEquals("opened", first.next().path("type").asText(), "the others are untouched");
    }
  }

  // --- raw HTTP ---

  private record Answer(int status, Map<String, String> headers, String body) {
    ObjectNode json() {
      return Json.parseObject(body);
    }
  }

  private static String self() {
    return "127.0.0.1:" + server.port();
  }

  private static String upgrade(String path, String host, String origin) {
    return "GET "
        + path
        + " HTTP/1.1\r\nHost: "
        + host
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + "\r\n";
  }

  private static String get(String path, String host) {
    return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
  }

  private static HttpRequest.Builder post(String path, String type, String body) {
    return typed(HttpRequest.newBuilder(server.httpUri().resolve(path.substring(1))), type)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static HttpRequest.Builder put(String path, String type, String body) {
    return typed(HttpRequest.newBuilder(server.httpUri().resolve(path.substring(1))), type)
        .PUT(HttpRequest.BodyPublishers.ofString(body));
  }

  private static HttpRequest.Builder typed(HttpRequest.Builder request, String type) {
    request.timeout(WsClient.WAIT).header("Origin", APP); // an allowed page: only the type is wrong
    return type == null ? request : request.header("Content-Type", type);
  }

  private static void assertRefused(HttpResponse<String> response, String what) {
    assertEquals(400, response.statusCode(), what + ": " + response.body());
    ObjectNode body = Json.parseObject(response.body());
    assertEquals("bad_request", body.path("code").asText(), what);
    assertTrue(body.path("message").asText().contains("Content-Type: application/json"), what);
  }

  private static HttpResponse<String> raw(HttpRequest.Builder request) {
    try {
      return Http.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  private static Answer send(TandemServer target, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", target.port())) {
      return exchange(socket, request);
    }
  }

  /** Writes {@code request}, reads the status line, the headers and a Content-Length body. */
  private static Answer exchange(Socket socket, String request) throws IOException {
    socket.setSoTimeout((int) WsClient.WAIT.toMillis());
    socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after " + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(b);
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
      }
    }
    int status = Integer.parseInt(lines[0].substring(9, 12));
    int length = Integer.parseInt(headers.getOrDefault("Content-Length", "0"));
    String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
    return new Answer(status, headers, body);
  }
}
