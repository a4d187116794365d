package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.client.DocumentListener;
import dev.tandem.client.TandemClient;
import dev.tandem.client.TandemDocument;
import dev.tandem.client.TandemException;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Drives {@link TandemClient}s against a real server for the client end-to-end tests: starts
 * clients with short backoffs, counts their acks, waits with deadlines (never asserts on time), and
 * reads the document back over REST.
 */
final class ClientHarness implements AutoCloseable {
  static final Duration DEADLINE = Duration.ofSeconds(30);
  // Every run of edits in this JVM gets its own code point ranges, so no character repeats.
  private static final java.util.concurrent.atomic.AtomicInteger NEXT_SLOT =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<TandemClient> clients = new ArrayList<>();
  private final Random random;

  ClientHarness(long seed) {
    this.random = new Random(seed);
  }

  /**
   * A client with fast reconnects; its errors go to the returned editor's error list. It pings
   * every 2 s, so a socket that died without a word (the JDK client does not always report a peer
   * that vanished, notably on a loaded machine) is given up within a test's deadline, as a real
   * client gives it up after its 40 s.
   */
  Editor editor(URI webSocket, String clientId, String docId) throws Exception {
    return editor(webSocket, List.of(), clientId, docId);
  }

  /**
   * As {@link #editor(URI, String, String)}, trying the {@code alternates} (other nodes of a
   * cluster) when the current node cannot be reached; connects time out after 2 s (a paused node
   * accepts TCP connections but never answers them).
   */
  Editor editor(URI webSocket, List<URI> alternates, String clientId, String docId)
      throws Exception {
    return editor(webSocket, alternates, clientId, docId, Duration.ofSeconds(2));
  }

  /**
   * As {@link #editor(URI, List, String, String)}, pinging every {@code pingInterval}: a client
   * that hears nothing for two of them drops its socket (a test that silences one for longer than 4
   * s and means to keep it gives a longer interval).
   */
  Editor editor(
      URI webSocket, List<URI> alternates, String clientId, String docId, Duration pingInterval)
      throws Exception {
    TandemClient client =
        TandemClient.builder(webSocket)
            .alternates(alternates)
            .connectTimeout(Duration.ofSeconds(2))
            .clientId(clientId)
            .httpClient(http)
            .pingInterval(pingInterval)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(400))
            .random(new Random(random.nextLong()))
            .build();
    clients.add(client);
    TandemDocument document = client.open(docId).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    Editor editor = new Editor(client, document);
    document.addListener(editor);
    return editor;
  }

  /** One client with its open document, counting what the server told it. */
  static final class Editor implements DocumentListener {
    final TandemClient client;
    final TandemDocument document;
    final AtomicLong acks = new AtomicLong();
    final ConcurrentLinkedQueue<TandemException> errors = new ConcurrentLinkedQueue<>();

    Editor(TandemClient client, TandemDocument document) {
      this.client = client;
      this.document = document;
    }

    @Override
    public void onAcknowledged(long revision, long seq) {
      acks.incrementAndGet();
    }

    @Override
    public void onError(TandemException error) {
      errors.add(error);
    }
  }

  /**
   * Every editor makes {@code editsEach} random edits with random small delays between them, all at
   * once; {@code inserted} collects every inserted code point. Returns when all were applied
   * locally (not yet acknowledged).
   */
  static void runEdits(
      List<Editor> editors,
      int editsEach,
      long seed,
      boolean deletes,
      java.util.Set<Integer> inserted,
      Runnable betweenEdits)
      throws InterruptedException {
    java.util.concurrent.ScheduledExecutorService driver =
        java.util.concurrent.Executors.newScheduledThreadPool(2);
    java.util.concurrent.CountDownLatch done =
        new java.util.concurrent.CountDownLatch(editors.size());
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    try {
      for (int i = 0; i < editors.size(); i++) {
        Editor editor = editors.get(i);
        Random random = new Random(seed * 1_000 + i); // used on the editor's event thread only
        FreshCodePoints fresh = new FreshCodePoints(NEXT_SLOT.getAndIncrement(), random);
        java.util.concurrent.atomic.AtomicInteger left =
            new java.util.concurrent.atomic.AtomicInteger(editsEach);
        Runnable[] step = new Runnable[1];
        step[0] =
            () ->
                editor
                    .document
                    .edit(
                        text -> {
                          TextOperation op = randomEdit(random, text, fresh, deletes);
                          op.components().stream()
                              .filter(c -> c instanceof dev.tandem.ot.Insert)
                              .forEach(
                                  c ->
                                      ((dev.tandem.ot.Insert) c)
                                          .text()
                                          .codePoints()
                                          .forEach(inserted::add));
                          return op;
                        })
                    .whenComplete(
                        (op, failure) -> {
                          if (failure != null) {
                            failures.add(failure);
                          }
                          betweenEdits.run();
                          if (left.decrementAndGet() > 0) {
                            driver.schedule(step[0], random.nextInt(15), TimeUnit.MILLISECONDS);
                          } else {
                            done.countDown();
                          }
                        });
        driver.schedule(step[0], random.nextInt(15), TimeUnit.MILLISECONDS);
      }
      if (!done.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        fail("edits not applied within " + DEADLINE.toSeconds() + " s");
      }
    } finally {
      driver.shutdownNow();
    }
    assertEquals(List.of(), List.copyOf(failures), "failed edits (seed " + seed + ")");
  }

  /** Waits for every editor's acks, then for every editor to reach the server's head. */
  static void awaitSynchronized(List<Editor> editors) throws Exception {
    List<java.util.concurrent.CompletableFuture<Void>> acked =
        editors.stream().map(e -> e.document.whenSynchronized()).toList();
    await(
        () -> acked.stream().allMatch(java.util.concurrent.CompletableFuture::isDone),
        () -> "unacknowledged edits: " + describe(editors));
    for (var future : acked) {
      future.get(); // rethrows if one failed
    }
  }

  /** Each editor's connection and document state, revision and errors, for failure messages. */
  static String describe(List<Editor> editors) {
    return editors.stream()
        .map(
            e ->
                e.client.clientId()
                    + " "
                    + e.client.connectionState()
                    + "/"
                    + e.document.state()
                    + " r"
                    + e.document.revision()
                    + " errors "
                    + e.errors.stream().map(Throwable::getMessage).toList())
        .toList()
        .toString();
  }

  /** Polls {@code condition} until it holds; fails with {@code what} at the deadline. */
  static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not reached within " + DEADLINE.toSeconds() + " s: " + what.get());
      }
      Thread.sleep(10);
    }
  }

  /** Waits until every editor has acknowledged all its edits and seen {@code revision}. */
  static void awaitConverged(List<Editor> editors, long revision) throws InterruptedException {
    await(
        () ->
            editors.stream()
                .allMatch(e -> e.document.revision() == revision && e.document.text() != null),
        () -> "expected revision " + revision + ": " + describe(editors));
  }

  /** {@code GET /api/docs/{id}}. */
  JsonNode restDocument(URI http, String docId) throws IOException, InterruptedException {
    return get(http.resolve("api/docs/" + docId));
  }

  /** Every op of the document over REST, following {@code next} from revision 1. */
  List<JsonNode> restOps(URI http, String docId) throws IOException, InterruptedException {
    List<JsonNode> ops = new ArrayList<>();
    JsonNode page = get(http.resolve("api/docs/" + docId + "/ops?from=1&limit=100"));
    while (true) {
      page.path("ops").forEach(ops::add);
      if (page.path("next").isNull() || page.path("next").isMissingNode()) {
        return ops;
      }
      page =
          get(
              http.resolve(
                  "api/docs/" + docId + "/ops?from=" + page.path("next").asLong() + "&limit=100"));
    }
  }

  /** Revisions 1..n without a gap, and the number of ops equals the acks the clients got. */
  static void assertDenseAndAcknowledged(List<JsonNode> ops, List<Editor> editors) {
    for (int i = 0; i < ops.size(); i++) {
      assertEquals(i + 1, ops.get(i).path("rev").asLong(), "revision at index " + i);
    }
    long acks = editors.stream().mapToLong(e -> e.acks.get()).sum();
    assertEquals(ops.size(), acks, "committed ops vs acks received");
    for (Editor editor : editors) {
      long committed =
          ops.stream()
              .filter(op -> op.path("client").asText().equals(editor.client.clientId()))
              .count();
      assertEquals(committed, editor.acks.get(), "acks of " + editor.client.clientId());
    }
  }

  private JsonNode get(URI uri) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), uri + " answered " + response.body());
    return JSON.readTree(response.body());
  }

  /**
   * A random insert of fresh, distinct code points (one in five astral) into {@code text}, and now
   * and then a delete when {@code deletes} is set.
   */
  static TextOperation randomEdit(
      Random random, String text, FreshCodePoints fresh, boolean deletes) {
    int length = text.codePointCount(0, text.length());
    int position = random.nextInt(length + 1);
    TextOperation.Builder op = TextOperation.builder().retain(position);
    if (deletes && position < length && random.nextInt(4) == 0) {
      int count = 1 + random.nextInt(Math.min(3, length - position));
      return op.delete(count).retain(length - position - count).build();
    }
    return op.insert(fresh.next(1 + random.nextInt(3))).retain(length - position).build();
  }

  /** Code points never handed out before within one range, so every insert is recognisable. */
  static final class FreshCodePoints {
    private int nextBmp;
    private int nextAstral;
    private final Random random;

    /**
     * Range {@code slot} (0 to 123) of 256 BMP and 256 astral code points: CJK ideographs for the
     * first 81 slots, Hangul syllables after them.
     */
    FreshCodePoints(int slot, Random random) {
      if (slot > 123) {
        throw new IllegalArgumentException("slot " + slot + " (expected 0..123)");
      }
      this.nextBmp = slot <= 80 ? 0x4E00 + slot * 256 : 0xAC00 + (slot - 81) * 256;
      this.nextAstral = 0x20000 + slot * 256;
      this.random = random;
    }

    String next(int count) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < count; i++) {
        text.appendCodePoint(random.nextInt(5) == 0 ? nextAstral++ : nextBmp++);
      }
      return text.toString();
    }
  }

  @Override
  public void close() {
    clients.forEach(TandemClient::close);
  }
}
