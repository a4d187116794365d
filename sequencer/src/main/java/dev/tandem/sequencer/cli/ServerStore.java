package dev.tandem.sequencer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.persistence.Archive;
import dev.tandem.persistence.ArchiveVisitor;
import dev.tandem.persistence.CheckpointInfo;
import dev.tandem.persistence.DocumentSnapshot;
import dev.tandem.persistence.DocumentSummary;
import dev.tandem.persistence.HistoryVerifier;
import dev.tandem.sequencer.archive.ArchiveReader;
import dev.tandem.sequencer.protocol.Json;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * A running server, through its REST API ({@code /api/docs…}) with a bearer token: every change
 * goes through the server, which owns its documents. Export and import stream the export format.
 */
final class ServerStore implements Store {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final URI base;
  private final String token;
  private final HttpClient http;

  ServerStore(URI server, String token) {
    String text = server.toString();
    this.base = URI.create(text.endsWith("/") ? text : text + "/");
    if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
      throw new CommandFailure("--server " + server + " (expected: an http:// or https:// URL)");
    }
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  @Override
  public List<DocumentSummary> list(String after, int limit) {
    JsonNode body =
        json(get("api/docs?limit=" + limit + (after == null ? "" : "&after=" + encode(after))));
    List<DocumentSummary> page = new ArrayList<>();
    for (JsonNode doc : body.path("docs")) {
      page.add(
          new DocumentSummary(
              doc.path("id").asText(),
              doc.path("rev").asLong(),
              doc.path("ops").asLong(),
              doc.path("checkpoints").asLong(),
              Instant.parse(doc.path("created").asText()),
              Instant.parse(doc.path("updated").asText())));
    }
    return page;
  }

  @Override
  public DocumentSnapshot text(String docId, OptionalLong revision) {
    JsonNode body =
        json(get(document(docId) + (revision.isPresent() ? "?rev=" + revision.getAsLong() : "")));
    return new DocumentSnapshot(docId, body.path("rev").asLong(), body.path("text").asText());
  }

  @Override
  public long revisionAt(String docId, Instant time) {
    return json(get(document(docId) + "?at=" + encode(time.toString()))).path("rev").asLong();
  }

  @Override
  public List<CheckpointInfo> checkpoints(String docId) {
    List<CheckpointInfo> list = new ArrayList<>();
    for (JsonNode item : json(get(document(docId) + "/checkpoints")).path("checkpoints")) {
      list.add(checkpoint(docId, item));
    }
    return list;
  }

  @Override
  public CheckpointInfo createCheckpoint(String docId, OptionalLong revision) {
    String path =
        document(docId)
            + "/checkpoints"
            + (revision.isPresent() ? "?rev=" + revision.getAsLong() : "");
    return checkpoint(
        docId,
        json(
            send(
                request(path)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build())));
  }

  @Override
  public void export(String docId, ArchiveVisitor visitor) {
    HttpResponse<InputStream> response =
        exchange(request(document(docId) + "/export").GET().build());
    if (response.statusCode() != 200) {
      throw failure(response.statusCode(), body(response));
    }
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      new ArchiveReader(in, null).readInto(visitor);
    } catch (IOException e) {
      throw new CommandFailure("reading the export from " + base + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public HistoryVerifier.Summary importFile(Path file, String asDocId, Progress progress) {
    String docId = asDocId != null ? asDocId : ImportCommand.documentOf(file);
    HttpRequest request;
    try {
      progress.total(Files.size(file), "bytes"); // the server imports as the body arrives
      request =
          request(document(docId) + "/import")
              .header("Content-Type", "application/json") // JSON Lines, as the server asks
              .POST(HttpRequest.BodyPublishers.ofInputStream(() -> counted(file, progress)))
              .build();
    } catch (IOException e) {
      throw new CommandFailure("cannot read " + file + ": " + e.getMessage(), e);
    }
    JsonNode body = json(send(request));
    return new HistoryVerifier.Summary(
        body.path("id").asText(),
        body.path("rev").asLong(),
        body.path("ops").asLong(),
        body.path("checkpoints").asLong(),
        body.path("headHash").asText());
  }

  @Override
  public Archive.PruneSummary prune(String docId, OptionalLong before) {
    long revision;
    if (before.isPresent()) {
      revision = before.getAsLong();
    } else {
      List<CheckpointInfo> list = checkpoints(docId);
      revision = list.get(list.size() - 1).revision();
    }
    JsonNode body =
        json(
            send(
                request(document(docId) + "/prune?before=" + revision)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build()));
    return new Archive.PruneSummary(
        docId,
        body.path("start").asLong(),
        body.path("ops").asLong(),
        body.path("checkpoints").asLong());
  }

  @Override
  public boolean delete(String docId) {
    send(request(document(docId)).DELETE().build()); // a missing one: 404 not_found, as said
    return true;
  }

  @Override
  public void close() {}

  /** The file's bytes, each read counted by {@code progress}. */
  private static InputStream counted(Path file, Progress progress) {
    try {
      return new FilterInputStream(Files.newInputStream(file)) {
        private long read;

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
          int n = super.read(buffer, offset, length);
          if (n > 0) {
            read += n;
            progress.at(read);
          }
          return n;
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static CheckpointInfo checkpoint(String docId, JsonNode item) {
    return new CheckpointInfo(
        docId,
        item.path("rev").asLong(),
        item.path("sha256").asText(),
        Instant.parse(item.path("time").asText()),
        item.path("chain").asText());
  }

  private String get(String path) {
    return send(request(path).GET().build());
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve(path)).header("Accept", "application/json, */*");
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  /** The body of a 2xx answer; anything else is the server's error, as it said it. */
  private String send(HttpRequest request) {
    HttpResponse<InputStream> response = exchange(request);
    String body = body(response);
    if (response.statusCode() / 100 != 2) {
      throw failure(response.statusCode(), body);
    }
    return body;
  }

  private String body(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CommandFailure("reading the answer of " + base + " failed: " + e.getMessage(), e);
    }
  }

  private HttpResponse<InputStream> exchange(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw new CommandFailure("no server answers at " + base + " (is it running?)", e);
    } catch (IOException e) {
      throw new CommandFailure("talking to " + base + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandFailure("interrupted", e);
    }
  }

  private CommandFailure failure(int status, String body) {
    String detail = body;
    try {
      JsonNode error = Json.MAPPER.readTree(body);
      if (error != null && error.has("code")) {
        detail = error.path("code").asText() + ": " + error.path("message").asText();
      }
    } catch (IOException notJson) {
      // the body as it came
    }
    return new CommandFailure("the server answered " + status + " " + detail);
  }

  private static JsonNode json(String body) {
    try {
      return Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw new CommandFailure("the server's answer is not JSON: " + e.getMessage(), e);
    }
  }

  private static String document(String docId) {
    return "api/docs/" + encode(docId);
  }

  /** Percent-encodes a path segment or query value (a space as %20, not +). */
  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
