package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.sequencer.protocol.Json;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw WebSocket client for tests (the JDK's), so tests can send anything, malformed frames
 * included, and read every frame the server sends in order. {@code presence} frames, which come
 * unasked whenever another client joins, moves or leaves, are kept apart: {@link #next()} reads
 * every other frame in order, {@link #nextPresence()} (or {@code next("presence")}) the presences.
 *
 * <p>Committed ops come in {@code ops} frames, everyone's, the client's own included. Unless {@link
 * #rawOps} was called, this client reads each entry as the event it stands for, in its place: an op
 * this socket submitted (its hello's client id and a {@code (doc, seq)} it sent in a {@code
 * submit}) as {@code ack {doc, rev, seq}}, any other as {@code op {doc, rev, op, client, seq,
 * user}}, so that tests check revisions, order and acknowledgements without unpacking frames.
 */
final class WsClient implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(20);

  private final LinkedBlockingDeque<ObjectNode> received = new LinkedBlockingDeque<>();
  private final LinkedBlockingDeque<ObjectNode> presences = new LinkedBlockingDeque<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private volatile String closeReason;
  private final AtomicInteger binaryMessages = new AtomicInteger();
  private final Set<String> submitted = ConcurrentHashMap.newKeySet(); // "doc/seq" sent here
  private volatile String helloClientId;
  private volatile boolean rawOps;
  private final WebSocket socket;
  private final boolean reading;
  private volatile CompletableFuture<Void> pong = new CompletableFuture<>();

  private WsClient(URI uri, boolean reading) {
    this.reading = reading;
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(uri, new Listener())
            .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
            .join();
  }

  /** Connects without saying hello. */
  static WsClient connect(TandemServer server) {
    return connect(server.webSocketUri());
  }

  /** Connects to {@code ws://host:port/ws} (a server in another process) without saying hello. */
  static WsClient connect(URI webSocket) {
    return new WsClient(webSocket, true);
  }

  /** Connects without reading anything the server sends (a stalled consumer). */
  static WsClient connectStalled(TandemServer server) {
    return connectStalled(server.webSocketUri());
  }

  static WsClient connectStalled(URI webSocket) {
    return new WsClient(webSocket, false);
  }

  /** Connects and completes the hello as {@code clientId}. */
  static WsClient hello(TandemServer server, String clientId) {
    return hello(server.webSocketUri(), clientId);
  }

  /** Connects to {@code webSocket} (a server in another process, a proxy) and says hello. */
  static WsClient hello(URI webSocket, String clientId) {
    WsClient client = connect(webSocket);
    client.send(
        "{\"type\":\"hello\",\"token\":\"\",\"client\":\"" + clientId + "\",\"protocol\":1}");
    ObjectNode welcome = client.next();
    assertEquals("welcome", welcome.path("type").asText(), welcome.toString());
    return client;
  }

  void send(String text) {
    noteSent(text);
    socket.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** Remembers the hello's client id and the submits, to tell own ops from others' ones. */
  private void noteSent(String text) {
    ObjectNode message;
    try {
      message = Json.parseObject(text);
    } catch (RuntimeException malformed) {
      return; // a test of bad input
    }
    switch (message.path("type").asText()) {
      case "hello" -> helloClientId = message.path("client").asText(null);
      case "submit" -> submitted.add(message.path("doc").asText() + "/" + message.path("seq"));
      default -> {}
    }
  }

  /** From now on {@code ops} frames are read as they come, not as the op and ack events. */
  WsClient rawOps() {
    rawOps = true;
    return this;
  }

  /** Sends one fragment of a text message; the message ends with the fragment that is last. */
  void sendFragment(String text, boolean last) {
    socket.sendText(text, last).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  void sendBinary(byte[] bytes) {
    socket
        .sendBinary(ByteBuffer.wrap(bytes), true)
        .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
        .join();
  }

  /**
   * Sends a WebSocket ping (a control frame, allowed between the fragments of a message) and waits
   * for the server's pong; fails if the socket closes first.
   */
  void pingFrame() {
    CompletableFuture<Void> answered = new CompletableFuture<>();
    pong = answered;
    socket.sendPing(ByteBuffer.allocate(0)).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    answered.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** A stalled client starts reading everything. */
  void resume() {
    socket.request(Long.MAX_VALUE);
  }

  void send(ObjectNode message) {
    send(Json.write(message));
  }

  /** The next frame but a presence, failing after {@link #WAIT}. */
  ObjectNode next() {
    return poll(received);
  }

  /** The next presence frame, failing after {@link #WAIT}. */
  ObjectNode nextPresence() {
    return poll(presences);
  }

  /** Whether a presence frame is waiting now (never waits). */
  boolean hasPresence() {
    return !presences.isEmpty();
  }

  private static ObjectNode poll(LinkedBlockingDeque<ObjectNode> queue) {
    try {
      ObjectNode message = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      if (message == null) {
        fail("no message from the server within " + WAIT);
      }
      return message;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** The next frame of this type's queue (presences or the rest), which must have this type. */
  ObjectNode next(String type) {
    ObjectNode message = type.equals("presence") ? nextPresence() : next();
    assertEquals(type, message.path("type").asText(), message.toString());
    return message;
  }

  /** The next frame of one of {@code types}, skipping the others, failing after {@link #WAIT}. */
  ObjectNode nextOf(String... types) {
    while (true) {
      ObjectNode message = next();
      if (List.of(types).contains(message.path("type").asText())) {
        return message;
      }
    }
  }

  /** Frames until one of {@code type} arrives; returns all of them, that one last. */
  List<ObjectNode> until(String type) {
    List<ObjectNode> messages = new ArrayList<>();
    while (true) {
      ObjectNode message = next();
      messages.add(message);
      if (type.equals(message.path("type").asText())) {
        return messages;
      }
    }
  }

  /** Whether a frame is waiting now (never waits). */
  boolean hasMessage() {
    return !received.isEmpty();
  }

  /** The close code the server sent, failing after {@link #WAIT}. */
  int awaitClose() {
    return closeCode.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** The reason of the server's close frame; call after {@link #awaitClose}. */
  String closeReason() {
    return closeReason;
  }

  boolean isClosed() {
    return closeCode.isDone();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    socket.abort();
  }

  /** Messages that came in binary frames so far. */
  int binaryMessages() {
    return binaryMessages.get();
  }

  /** An entry of an {@code ops} frame as the {@code ack} or {@code op} it stands for here. */
  private ObjectNode event(ObjectNode ops, JsonNode entry) {
    String doc = ops.path("doc").asText();
    boolean own =
        entry.path("client").asText().equals(helloClientId)
            && submitted.contains(doc + "/" + entry.path("seq"));
    ObjectNode event = Json.object();
    event.put("type", own ? "ack" : "op");
    event.put("doc", doc);
    if (own) {
      event.set("rev", entry.path("rev"));
      event.set("seq", entry.path("seq"));
    } else {
      event.setAll((ObjectNode) entry);
    }
    return event;
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();
    private final ByteArrayOutputStream partialBinary = new ByteArrayOutputStream();

    @Override
    public void onOpen(WebSocket webSocket) {
      if (reading) {
        webSocket.request(1);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        ObjectNode message = Json.parseObject(partial.toString());
        (message.path("type").asText().equals("presence") ? presences : received).add(message);
        partial.setLength(0);
      }
      if (reading) {
        webSocket.request(1);
      }
      return null;
    }

    /** Binary frames carry {@code ops} messages: UTF-8 JSON like the rest. */
    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      partialBinary.writeBytes(bytes); // whole before decoding: a fragment may split a character
      if (last) {
        ObjectNode message = Json.parseObject(partialBinary.toString(StandardCharsets.UTF_8));
        partialBinary.reset();
        if (rawOps || !message.path("type").asText().equals("ops")) {
          received.add(message);
        } else {
          message.path("ops").forEach(entry -> received.add(event(message, entry)));
        }
        binaryMessages.incrementAndGet();
      }
      if (reading) {
        webSocket.request(1);
      }
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
      pong.complete(null);
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      pong.completeExceptionally(new IllegalStateException("closed with " + statusCode));
      closeReason = reason;
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      pong.completeExceptionally(error);
      closeCode.complete(-1);
    }
  }
}
