package dev.tandem.bench.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.bench.load.LeanSockets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fuzz run against a server: WebSocket sessions and REST workers send hostile input until
 * {@code messages} were processed, while honest client-java editors type into control documents;
 * then the server must be up, must never have answered {@code internal} or a 5xx, and the control
 * documents must be intact. Shared by {@link Fuzz} (the long run) and the suite's test.
 *
 * <p>A WebSocket session sends its messages in windows of {@link #WINDOW}, each ended by a {@code
 * ping}: the {@code pong} shows the server read the window, and only then do its messages count as
 * processed. The server closes a socket after too many bad messages (1008); a new session replaces
 * every one that ends. Each session and each REST worker draws from a {@link Random} seeded with
 * the run's seed and its own number, so a seed replays the same inputs (their interleaving depends
 * on timing).
 */
public final class FuzzRun {
  static final int WINDOW = 40;
  private static final Duration QUIET_LIMIT = Duration.ofSeconds(30);
  private static final Pattern INTERNAL_ERRORS =
      Pattern.compile("tandem_errors_total\\{code=\"internal\"\\} (\\d+)");
  private static final Pattern INTERNAL_ANSWER = Pattern.compile("\"code\"\\s*:\\s*\"internal\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What to run: against {@code http} (the server's base URI, ending with a slash). */
  public record Options(
      URI http,
      long seed,
      long messages,
      int sockets,
      int restWorkers,
      int controlDocuments,
      Duration maxDuration) {}

  private final Options options;
  private final String run = Long.toString(System.currentTimeMillis(), 36);
  private final URI webSocket;
  private final List<String> controlDocuments = new ArrayList<>();
  private final List<String> documents = new ArrayList<>();
  private final LongAdder wsProcessed = new LongAdder();
  private final LongAdder wsSent = new LongAdder();
  private final LongAdder restRequests = new LongAdder();
  private final AtomicLong sessionsStarted = new AtomicLong();
  private final Map<String, LongAdder> closeCodes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> httpStatuses = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final LongAdder failureCount = new LongAdder();
  private final Map<String, LongAdder> failureKinds = new ConcurrentHashMap<>();
  private final Set<Session> live = ConcurrentHashMap.newKeySet();
  private volatile boolean done;

  private FuzzRun(Options options) {
    this.options = options;
    this.webSocket = URI.create(options.http().toString().replaceFirst("^http", "ws") + "ws");
    for (int i = 0; i < options.controlDocuments(); i++) {
      controlDocuments.add("fuzz-control-" + run + "-" + i);
    }
    documents.addAll(controlDocuments);
    for (int i = 0; i < 12; i++) {
      documents.add("fuzz-" + run + "-" + i);
    }
  }

  /** Runs the fuzzer; never throws for what it finds (see {@link FuzzResult#failures()}). */
  public static FuzzResult run(Options options) throws Exception {
    return new FuzzRun(options).run();
  }

  private FuzzResult run() throws Exception {
    long started = System.nanoTime();
    long internalBefore = internalErrors();
    try (HonestEditors honest =
            new HonestEditors(options.http(), controlDocuments, 2, run, options.seed());
        LeanSockets sockets = new LeanSockets(2)) {
      honest.start(options.seed() + 1);
      List<Thread> workers = new ArrayList<>();
      for (int w = 0; w < options.restWorkers(); w++) {
        int worker = w;
        Thread thread = new Thread(() -> rest(worker, honest.clientIds()), "fuzz-rest-" + w);
        thread.setDaemon(true);
        workers.add(thread);
        thread.start();
      }
      for (int s = 0; s < options.sockets(); s++) {
        startSession(sockets);
      }
      long deadline = started + options.maxDuration().toNanos();
      while (processed() < options.messages() && System.nanoTime() < deadline) {
        Thread.sleep(50);
        watchQuietSessions();
      }
      done = true;
      for (Thread worker : workers) {
        worker.join(QUIET_LIMIT.toMillis());
      }
      double fuzzSeconds = (System.nanoTime() - started) / 1e9;
      if (processed() < options.messages()) {
        fail(
            "incomplete",
            "only "
                + processed()
                + " of "
                + options.messages()
                + " messages within "
                + options.maxDuration());
      }
      for (String problem : honest.stopAndCheck()) {
        fail("control documents", problem);
      }
      int health = status("healthz");
      if (health != 200) {
        fail("health", "/healthz answered " + health + " after the run");
      }
      long internal = internalErrors() - internalBefore;
      if (internal != 0) {
        fail("internal", internal + " internal errors counted in /metrics");
      }
      return new FuzzResult(
          options.seed(),
          wsProcessed.sum(),
          wsSent.sum(),
          restRequests.sum(),
          sessionsStarted.get(),
          sorted(closeCodes),
          sorted(errorCodes),
          sorted(httpStatuses),
          sorted(failureKinds),
          honest.edits(),
          honest.acks(),
          fuzzSeconds,
          (System.nanoTime() - started) / 1e9,
          failureCount.sum(),
          List.copyOf(failures));
    }
  }

  private long processed() {
    return wsProcessed.sum() + restRequests.sum();
  }

  /** Counts a failure of this kind; keeps the first few of each kind, with their input. */
  private void fail(String kind, String failure) {
    failureCount.increment();
    LongAdder ofKind = failureKinds.computeIfAbsent(kind, k -> new LongAdder());
    ofKind.increment();
    if (ofKind.sum() <= 5) {
      failures.add(kind + ": " + failure);
    }
  }

  // ---- WebSocket ------------------------------------------------------------------------------

  private void startSession(LeanSockets sockets) {
    if (done) {
      return;
    }
    long number = sessionsStarted.getAndIncrement();
    Session session = new Session(sockets, number);
    live.add(session);
    sockets.connect(webSocket, session);
  }

  /**
   * A session whose window got no pong for {@link #QUIET_LIMIT}: the server left its 40 messages
   * unread or unanswered that long (a failure), and a new session takes its place.
   */
  private void watchQuietSessions() {
    long now = System.nanoTime();
    for (Session session : live) {
      if (now - session.lastProgress > QUIET_LIMIT.toNanos()) {
        fail(
            "socket stalled",
            "no pong on a WebSocket for " + QUIET_LIMIT + " after: " + session.window());
        live.remove(session);
        session.abandon();
      }
    }
  }

  /** One socket: hello, then windows of hostile messages, each ended by a ping. */
  private final class Session implements LeanSockets.Listener {
    private final LeanSockets sockets;
    private final HostileMessages messages;
    private final String clientId;
    private volatile List<String> window = List.of(); // what was sent since the last pong
    private volatile long lastProgress = System.nanoTime(); // the open, the welcome, a pong
    private LeanSockets.Socket socket;
    private boolean welcomed; // the selector thread only
    private boolean ended;

    Session(LeanSockets sockets, long number) {
      this.sockets = sockets;
      this.messages =
          new HostileMessages(new Random(options.seed() * 1_000_003 + number), documents);
      this.clientId = "fuzz-" + run + "-s" + number;
    }

    @Override
    public void onOpen(LeanSockets.Socket opened) {
      socket = opened;
      lastProgress = System.nanoTime();
      HostileMessages.Frame hello = messages.hello(clientId);
      window = List.of(hello.describe());
      socket.sendFrame(hello.opcode(), hello.payload());
      wsSent.increment();
    }

    @Override
    public void onMessage(
        LeanSockets.Socket from, byte[] data, int offset, int length, boolean binary) {
      JsonNode message;
      try {
        message = JSON.readTree(new String(data, offset, length, StandardCharsets.UTF_8));
      } catch (IOException e) {
        fail(
            "not JSON",
            "a WebSocket message that is not JSON: "
                + new String(data, offset, Math.min(length, 200), StandardCharsets.UTF_8));
        return;
      }
      switch (message.path("type").asText()) {
        case "welcome" -> {
          lastProgress = System.nanoTime();
          welcomed = true;
          wsProcessed.increment(); // the hello
          sendWindow();
        }
        case "pong" -> {
          lastProgress = System.nanoTime();
          wsProcessed.add(WINDOW);
          sendWindow();
        }
        case "error" -> {
          String code = message.path("code").asText();
          count(errorCodes, code);
          if (code.equals("internal")) {
            fail("internal", "internal error " + message + " after one of: " + window());
          }
        }
        default -> {}
      }
    }

    private void sendWindow() {
      if (done) {
        socket.close();
        return;
      }
      List<String> sent = new ArrayList<>(WINDOW);
      for (int i = 0; i < WINDOW; i++) {
        HostileMessages.Frame frame = messages.next();
        sent.add(frame.describe());
        socket.sendFrame(frame.opcode(), frame.payload());
      }
      window = sent;
      wsSent.add(WINDOW);
      socket.send("{\"type\":\"ping\"}");
    }

    @Override
    public void onClose(LeanSockets.Socket from, int code, String reason) {
      count(closeCodes, Integer.toString(code));
      if (!welcomed && code == 1008) {
        wsProcessed.increment(); // a refused hello, answered by the close
      }
      if (code == 1011) {
        fail("1011", "closed with 1011 (" + reason + ") after one of: " + window());
      }
      end();
    }

    @Override
    public void onError(LeanSockets.Socket from, Throwable error) {
      String message = String.valueOf(error.getMessage());
      count(
          closeCodes,
          "error "
              + error.getClass().getSimpleName()
              + ": "
              + message.substring(0, Math.min(40, message.length())));
      end();
    }

    void abandon() {
      if (socket != null) {
        socket.close();
      }
      end();
    }

    private synchronized void end() {
      if (ended) {
        return;
      }
      ended = true;
      live.remove(this);
      startSession(sockets);
    }

    String window() {
      return window.toString();
    }
  }

  // ---- REST -----------------------------------------------------------------------------------

  private void rest(int worker, List<String> victims) {
    RawHttp http = new RawHttp(options.http(), QUIET_LIMIT);
    HostileRequests requests =
        new HostileRequests(
            new Random(options.seed() * 7_919 + worker), documents, controlDocuments, victims);
    while (!done) {
      HostileRequests.Request request = requests.next();
      try {
        long sent = System.nanoTime();
        RawHttp.Answer answer = http.send(request);
        restRequests.increment();
        if (System.nanoTime() - sent > 2_000_000_000L) {
          count(httpStatuses, "slower than 2 s");
        }
        count(httpStatuses, answer.status() == 0 ? "none" : Integer.toString(answer.status()));
        if (answer.timedOut()) {
          fail("no answer", "no answer within " + QUIET_LIMIT + " to " + request.describe());
        } else if (answer.status() >= 500) { // a request line that is not HTTP too: 400
          fail(
              "HTTP " + answer.status(),
              answer.status() + " " + shorten(answer.body()) + " to " + request.describe());
        } else if (INTERNAL_ANSWER.matcher(answer.body()).find()) {
          fail("internal", "internal " + shorten(answer.body()) + " to " + request.describe());
        } else if (answer.status() == 0 && request.wellFormed() && !request.cutShort()) {
          fail("closed without an answer", "closed without an answer to " + request.describe());
        }
      } catch (IOException e) {
        restRequests.increment();
        count(httpStatuses, "io " + e.getClass().getSimpleName());
        if (request.wellFormed() && !request.cutShort()) {
          fail("I/O error", e + " on " + request.describe());
        }
      }
    }
  }

  private static String shorten(String text) {
    return text.length() > 300 ? text.substring(0, 300) + "…" : text;
  }

  private long internalErrors() throws IOException, InterruptedException {
    HttpResponse<String> metrics = get("metrics");
    Matcher matcher = INTERNAL_ERRORS.matcher(metrics.body());
    return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
  }

  private int status(String path) throws IOException, InterruptedException {
    return get(path).statusCode();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(options.http().resolve(path)).timeout(QUIET_LIMIT).GET().build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static void count(Map<String, LongAdder> counts, String key) {
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  private static Map<String, Long> sorted(Map<String, LongAdder> counts) {
    Map<String, Long> sorted = new TreeMap<>();
    counts.forEach((key, count) -> sorted.put(key, count.sum()));
    return sorted;
  }
}
