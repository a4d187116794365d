package dev.tandem.bench.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.client.DocumentListener;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TandemDocument;
import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Honest client-java editors of the control documents, typing (astral characters included) while
 * the fuzzer attacks; then the check that the control documents are intact: every editor holds the
 * server's text, and the op log replays to it.
 */
final class HonestEditors implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private final URI http;
  private final HttpClient httpClient = HttpClient.newHttpClient();
  private final List<TandemClient> clients = new ArrayList<>();
  private final List<TandemDocument> documents = new ArrayList<>();
  private final ScheduledExecutorService driver = Executors.newScheduledThreadPool(1);
  private final AtomicLong edits = new AtomicLong();
  private final AtomicLong acks = new AtomicLong();
  private final AtomicInteger typing = new AtomicInteger();
  private volatile boolean stopped;

  /** Opens {@code perDocument} editors on each control document (created empty if missing). */
  HonestEditors(URI http, List<String> controlDocuments, int perDocument, String run, long seed)
      throws Exception {
    this.http = http;
    URI webSocket = URI.create(http.toString().replaceFirst("^http", "ws") + "ws");
    Random random = new Random(seed);
    for (String docId : controlDocuments) {
      for (int i = 0; i < perDocument; i++) {
        TandemClient client =
            TandemClient.builder(webSocket)
                .clientId("honest-" + run + "-" + clients.size())
                .httpClient(httpClient)
                .pingInterval(Duration.ofSeconds(2))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(400))
                .random(new Random(random.nextLong()))
                .build();
        clients.add(client);
        TandemDocument document = client.open(docId).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        document.addListener(
            new DocumentListener() {
              @Override
              public void onAcknowledged(long revision, long seq) {
                acks.incrementAndGet();
              }
            });
        documents.add(document);
      }
    }
  }

  List<String> clientIds() {
    return clients.stream().map(TandemClient::clientId).toList();
  }

  /** Every editor edits every 40 to 200 ms until {@link #stop}. */
  void start(long seed) {
    Random seeds = new Random(seed);
    for (TandemDocument document : documents) {
      Random random = new Random(seeds.nextLong()); // used on the document's event thread only
      typing.incrementAndGet();
      driver.schedule(() -> step(document, random), random.nextInt(100), TimeUnit.MILLISECONDS);
    }
  }

  private void step(TandemDocument document, Random random) {
    document
        .edit(text -> randomEdit(random, text))
        .whenComplete(
            (op, failure) -> {
              if (failure == null) {
                edits.incrementAndGet();
              }
              if (stopped) {
                typing.decrementAndGet();
              } else {
                driver.schedule(
                    () -> step(document, random), 40 + random.nextInt(160), TimeUnit.MILLISECONDS);
              }
            });
  }

  /** Stops typing and waits until every edit is acknowledged; the problems found, if any. */
  List<String> stopAndCheck() throws Exception {
    stopped = true;
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (typing.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    List<String> problems = new ArrayList<>();
    List<CompletableFuture<Void>> synced =
        documents.stream().map(TandemDocument::whenSynchronized).toList();
    try {
      CompletableFuture.allOf(synced.toArray(CompletableFuture[]::new))
          .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      problems.add("honest edits not acknowledged within " + DEADLINE + ": " + describe());
      return problems;
    }
    // Hostile sockets may still have valid submits to these documents queued at the server, so
    // the head can move during the check: every comparison is made at one named revision.
    for (String docId : documents.stream().map(TandemDocument::id).distinct().toList()) {
      JsonNode head = get("api/docs/" + docId);
      String text = head.path("text").asText();
      long revision = head.path("rev").asLong();
      String replayed = replay(docId, revision, problems);
      if (!text.equals(replayed)) {
        problems.add(
            docId
                + ": the op log up to "
                + revision
                + " replays to another text than the server's");
      }
      for (TandemDocument document : documents) {
        if (!document.id().equals(docId)) {
          continue;
        }
        while (document.revision() < revision && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        long seen;
        String held;
        do { // a revision and the text at it, not torn by an op arriving in between
          seen = document.revision();
          held = document.text();
        } while (seen != document.revision());
        String atSeen = get("api/docs/" + docId + "?rev=" + seen).path("text").asText();
        if (!held.equals(atSeen)) {
          problems.add(
              docId
                  + ": an honest editor at revision "
                  + seen
                  + " holds another text than the server's at that revision");
        }
      }
    }
    return problems;
  }

  long edits() {
    return edits.get();
  }

  long acks() {
    return acks.get();
  }

  private String describe() {
    return documents.stream()
        .map(d -> d.id() + " " + d.state() + " r" + d.revision())
        .toList()
        .toString();
  }

  /**
   * The control document's op log up to {@code upTo} applied from the empty text, checking
   * revisions are dense.
   */
  private String replay(String docId, long upTo, List<String> problems)
      throws IOException, InterruptedException {
    String text = "";
    long expected = 1;
    String next = upTo >= 1 ? "1" : null;
    while (next != null) {
      JsonNode page = get("api/docs/" + docId + "/ops?from=" + next + "&limit=1000");
      for (JsonNode op : page.path("ops")) {
        if (op.path("rev").asLong() > upTo) {
          return text;
        }
        if (op.path("rev").asLong() != expected) {
          problems.add(docId + ": revision " + op.path("rev") + " where " + expected + " belongs");
        }
        expected++;
        text = OperationJson.parse(op.path("op").toString()).apply(text);
      }
      next = page.path("next").isNumber() ? page.path("next").asText() : null;
    }
    return text;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> response =
        httpClient.send(
            HttpRequest.newBuilder(http.resolve(path)).timeout(DEADLINE).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(path + " answered " + response.statusCode() + " " + response.body());
    }
    return JSON.readTree(response.body());
  }

  private static TextOperation randomEdit(Random random, String text) {
    int length = text.codePointCount(0, text.length());
    int position = random.nextInt(length + 1);
    TextOperation.Builder op = TextOperation.builder().retain(position);
    if (position < length && random.nextInt(length > 2_000 ? 2 : 5) == 0) {
      int count = 1 + random.nextInt(Math.min(3, length - position));
      return op.delete(count).retain(length - position - count).build();
    }
    StringBuilder inserted = new StringBuilder();
    for (int i = 1 + random.nextInt(3); i > 0; i--) {
      inserted.appendCodePoint(
          switch (random.nextInt(3)) {
            case 0 -> 0x1F600 + random.nextInt(80);
            case 1 -> 0x20000 + random.nextInt(0xA6D0);
            default -> 'a' + random.nextInt(26);
          });
    }
    return op.insert(inserted.toString()).retain(length - position).build();
  }

  @Override
  public void close() {
    stopped = true;
    driver.shutdownNow();
    clients.forEach(TandemClient::close);
  }
}
