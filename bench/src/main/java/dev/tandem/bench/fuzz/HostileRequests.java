package dev.tandem.bench.fuzz;

import static dev.tandem.bench.fuzz.HostileValues.number;
import static dev.tandem.bench.fuzz.HostileValues.op;
import static dev.tandem.bench.fuzz.HostileValues.pick;
import static dev.tandem.bench.fuzz.HostileValues.quote;
import static dev.tandem.bench.fuzz.HostileValues.revision;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Malformed and hostile REST requests, written as raw HTTP/1.1 so that anything goes: malformed
 * percent escapes ({@code %}, {@code %ff}, {@code %C3}) and odd ids in paths, odd query values,
 * bodies of wrong types and numbers, lone surrogates and U+0000, deep nesting, bodies cut short,
 * and now and then a valid submit. No SSE stream of an existing document (it would never end).
 */
final class HostileRequests {
  /**
   * One request. {@code cutShort}: the body is sent shorter than its {@code Content-Length} and the
   * connection closed, so there is no answer to wait for. {@code wellFormed}: valid HTTP, which
   * must get an answer.
   */
  record Request(
      String method,
      String target,
      String contentType,
      byte[] body,
      boolean cutShort,
      boolean wellFormed) {
    String describe() {
      String text = new String(body, StandardCharsets.UTF_8);
      String shown =
          text.length() > 200 ? text.substring(0, 200) + "…(" + text.length() + ")" : text;
      String path = target.length() > 200 ? target.substring(0, 200) + "…" : target;
      return method
          + " "
          + path
          + (body.length > 0 ? " " + shown : "")
          + (cutShort ? " (cut short)" : "");
    }
  }

  private static final List<String> MALFORMED_ESCAPES =
      List.of(
          "%",
          "%f", "%ff", "%zz", "%%", "%C3", "%E2%82", "%ED%A0%80", "%00", "%2F", "a%", "%u00e9");

  private final Random random;
  private final List<String> documents;
  private final List<String> spared;
  private final List<String> victims;

  /**
   * {@code spared}: the documents never deleted (the control documents); {@code victims}: client
   * ids of honest editors, named now and then in a submit.
   */
  HostileRequests(
      Random random, List<String> documents, List<String> spared, List<String> victims) {
    this.random = random;
    this.documents = documents;
    this.spared = spared;
    this.victims = victims;
  }

  Request next() {
    int kind = random.nextInt(100);
    if (kind < 1) {
      return new Request(
          "GET",
          "/" + new String(HostileValues.bytes(random, 40), StandardCharsets.ISO_8859_1),
          null,
          new byte[0],
          false,
          false);
    } else if (kind < 30) {
      return json("POST", docPath() + "/ops", submitBody());
    } else if (kind < 45) {
      return json("PUT", docPath(), createBody());
    } else if (kind < 70) {
      return new Request("GET", docPath() + readSuffix(), null, new byte[0], false, true);
    } else if (kind < 75) {
      String method = pick(random, List.of("DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"));
      // A delete is an administrator's right (anyone's under --auth none), not hostile input: it
      // spares the control documents, whose editors would rightly be told theirs is gone.
      String path = method.equals("DELETE") ? deletablePath() : docPath();
      return new Request(method, path, null, new byte[0], false, true);
    } else if (kind < 80) {
      Request request = json("POST", docPath() + "/ops", submitBody());
      return new Request(
          request.method(), request.target(), request.contentType(), request.body(), true, true);
    } else if (kind < 85) {
      return json(
          pick(random, List.of("POST", "PUT")),
          docPath() + pick(random, List.of("", "/ops")),
          HostileValues.deepNesting(random));
    } else if (kind < 90) {
      byte[] body = HostileValues.bytes(random, 300);
      return new Request(
          "POST",
          docPath() + "/ops",
          pick(
              random,
              List.of("application/json", "text/plain", "application/x-www-form-urlencoded")),
          body,
          false,
          true);
    } else if (kind < 92 && random.nextInt(4) == 0) {
      return json("PUT", docPath(), "{\"text\":" + quote("t".repeat(1_100_000)) + "}"); // too large
    } else if (kind < 94) {
      return new Request(
          "GET", "/api/docs/" + malformedSegment() + "/events", null, new byte[0], false, true);
    } else {
      return new Request(
          "GET",
          pick(
              random,
              List.of(
                  "/healthz",
                  "/metrics",
                  "/api",
                  "/api/docs",
                  "/api/docs/",
                  "/api//docs",
                  "/ws",
                  "/%",
                  "/api/%ff",
                  "/..%2F..%2Fetc%2Fpasswd")),
          null,
          new byte[0],
          false,
          true);
    }
  }

  private Request json(String method, String target, String body) {
    return new Request(
        method, target, "application/json", body.getBytes(StandardCharsets.UTF_8), false, true);
  }

  /** Like {@link #docPath}, never a spared document. */
  private String deletablePath() {
    while (true) {
      String path = docPath();
      if (spared.stream().noneMatch(docId -> path.equals("/api/docs/" + docId))) {
        return path;
      }
    }
  }

  private String docPath() {
    return "/api/docs/"
        + switch (random.nextInt(6)) {
          case 0, 1, 2 -> pick(random, documents);
          case 3 ->
              URLEncoder.encode(HostileValues.oddId(random), StandardCharsets.UTF_8)
                  .replace("+", "%20");
          default -> malformedSegment();
        };
  }

  private String malformedSegment() {
    String escape = pick(random, MALFORMED_ESCAPES);
    return switch (random.nextInt(3)) {
      case 0 -> escape;
      case 1 -> pick(random, documents) + escape;
      default -> escape + "x" + pick(random, MALFORMED_ESCAPES);
    };
  }

  private String readSuffix() {
    return switch (random.nextInt(8)) {
      case 0 -> "";
      case 1 -> "?rev=" + queryValue();
      case 2 -> "/ops?from=" + queryValue() + "&limit=" + queryValue();
      case 3 -> "/ops?from=" + queryValue();
      case 4 -> "/checkpoints";
      case 5 -> "/ops/" + queryValue();
      case 6 -> "?access_token=" + pick(random, MALFORMED_ESCAPES);
      default -> "/ops?limit=" + queryValue();
    };
  }

  private String queryValue() {
    return switch (random.nextInt(4)) {
      case 0 -> pick(random, MALFORMED_ESCAPES);
      case 1 -> URLEncoder.encode(number(random), StandardCharsets.UTF_8);
      default -> Integer.toString(random.nextInt(5) - 1);
    };
  }

  /**
   * A submit body: odd fields, the lone-surrogate client, a client without a seq, and now
   * and then an honest editor's client id with a seq it may use (an attempt to erase its edit).
   */
  private String submitBody() {
    StringBuilder body = new StringBuilder("{");
    body.append("\"rev\":").append(revision(random)).append(",\"op\":").append(op(random));
    switch (random.nextInt(8)) {
      case 0 -> body.append(",\"client\":").append(quote("\ud800")).append(",\"seq\":1");
      case 1 -> body.append(",\"client\":").append(HostileValues.id(random, List.of("me")));
      case 2 -> body.append(",\"client\":\"me\",\"seq\":").append(number(random));
      case 3 -> {
        if (random.nextInt(4) == 0) {
          body.append(",\"client\":").append(quote(pick(random, victims)));
          body.append(",\"seq\":").append(1 + random.nextInt(200));
        }
      }
      default -> {}
    }
    return truncatedNowAndThen(body.append('}').toString());
  }

  private String createBody() {
    String body =
        switch (random.nextInt(5)) {
          case 0 -> "";
          case 1 -> "{\"text\":" + number(random) + "}";
          case 2 -> "{\"text\":" + quote(HostileValues.text(random)) + ",\"text\":\"b\"}";
          default -> "{\"text\":" + quote(HostileValues.text(random)) + "}";
        };
    return truncatedNowAndThen(body);
  }

  private String truncatedNowAndThen(String body) {
    return random.nextInt(8) == 0 && !body.isEmpty()
        ? body.substring(0, random.nextInt(body.length()))
        : body;
  }
}
