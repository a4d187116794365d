package dev.tandem.sequencer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.sequencer.protocol.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for tests: JSON in, status and JSON out. */
final class Http {
  private static final HttpClient CLIENT =
      // The JDK's default: HTTP/2 offered as an h2c upgrade, which the server must decline.
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  record Reply(int status, ObjectNode body) {}

  private Http() {}

  static Reply get(TandemServer server, String path) {
    return send(request(server, path).GET().build());
  }

  static Reply put(TandemServer server, String path, String body) {
    return send(request(server, path).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static Reply post(TandemServer server, String path, String body) {
    return send(request(server, path).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static Reply get(URI http, String path) {
    return send(request(http, path).GET().build());
  }

  static Reply put(URI http, String path, String body) {
    return send(request(http, path).PUT(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static Reply post(URI http, String path, String body) {
    return send(request(http, path).POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  static HttpRequest.Builder request(TandemServer server, String path) {
    return request(server.httpUri(), path);
  }

  /** {@code path} starts with a slash; {@code http} is the server's base URI, ending with one. */
  static HttpRequest.Builder request(URI http, String path) {
    return HttpRequest.newBuilder(URI.create(http + path.substring(1)))
        .timeout(WsClient.WAIT)
        .header("Content-Type", "application/json");
  }

  static HttpClient client() {
    return CLIENT;
  }

  static Reply send(HttpRequest request) {
    try {
      HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      String body = response.body();
      return new Reply(
          response.statusCode(), body.isBlank() ? Json.object() : Json.parseObject(body));
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
