package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stand-in Tandem server on a loopback port, for testing {@link TandemClient} without the
 * sequencer module: a minimal WebSocket server (RFC 6455 handshake, unfragmented text frames,
 * close) and the protocol over a pure sequencer model, as client-js's test/support/fake-network.js
 * has it: transform an incoming op against the ops committed after its base, send it in a binary
 * {@code ops} frame to every subscriber, its sender included (its ack), answer a resubmission of a
 * stored (client, seq) with its old ack if it is the same op and with {@code seq_reused} if it is
 * not. A test can commit ops under any client id ({@link #commitAs}), hold a document's submits
 * back ({@link #hold}, {@link #release}), as behind a slow database, refuse them as the rate limit
 * does ({@link #refuse}), prune a history ({@link #prune}), and send a document's sockets to
 * another node ({@link #moveTo}). Given a token check ({@link #tokens}), it refuses a bad hello
 * with {@code unauthorized} and close 1008, answers {@code auth} with {@code authed} or {@code
 * unauthorized}, and expires tokens on request ({@link #expireAll}). One lock guards everything.
 */
final class FakeServer implements AutoCloseable {
  private static final String WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ServerSocket listener;
  private final Thread acceptor;
  private final Map<String, Doc> documents = new HashMap<>();
  private final Set<Connection> connections = new LinkedHashSet<>();
  private final Set<String> holding = new HashSet<>();
  private final List<Held> held = new ArrayList<>();
  private final Map<String, Integer> refusing = new HashMap<>();
  private final List<String> submits = new ArrayList<>();
  private final List<String> opens = new ArrayList<>();
  private final List<String> presenceMetas = new ArrayList<>();
  private final Map<String, Long> prunedBefore = new HashMap<>();
  private ObjectNode group; // the ops message a release collects its commits in
  private final List<String> hellos = new ArrayList<>();
  private int ignoredHellos;
  private final List<String> auths = new ArrayList<>();
  private java.util.function.Function<String, Principal> verify;

  /** Who a token names; {@code exp} in epoch seconds. */
  record Principal(String user, String name, long exp) {}

  private record Committed(long revision, TextOperation op, String clientId, long seq) {}

  private record Held(Connection from, JsonNode message) {}

  private static final class Doc {
    String text = "";
    final List<Committed> log = new ArrayList<>();
    final Map<String, Long> revisionBySeq = new HashMap<>();
  }

  FakeServer() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = new Thread(this::acceptAll, "fake-tandem-server");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  URI uri() {
    return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/ws");
  }

  /**
   * From now on tokens are checked: {@code verify} names the token's principal, or null to refuse
   * it.
   */
  synchronized void tokens(java.util.function.Function<String, Principal> verify) {
    this.verify = verify;
  }

  /** The token of every {@code auth}, in order. */
  synchronized List<String> auths() {
    return List.copyOf(auths);
  }

  /** Every token expires: {@code error unauthorized "token expired"}, then close 1008. */
  synchronized void expireAll() {
    for (Connection connection : List.copyOf(connections)) {
      connection.send(unauthorized("token expired"));
      connection.close(1008, "token expired");
    }
  }

  /** A client of this server as {@code clientId}, reconnecting within 10–50 ms. */
  TandemClient.Builder client(String clientId) {
    return TandemClient.builder(uri())
        .clientId(clientId)
        .backoff(Duration.ofMillis(10), Duration.ofMillis(50));
  }

  /** {@code error} about the op {@code seq} of {@code docId}. */
  private static ObjectNode refusal(String docId, long seq, String code, boolean retryable) {
    return Wire.message("error")
        .put("doc", docId)
        .put("seq", seq)
        .put("code", code)
        .put("message", "refused: " + code)
        .put("retryable", retryable);
  }

  private static ObjectNode unauthorized(String message) {
    return Wire.message("error")
        .put("code", "unauthorized")
        .put("message", message)
        .put("retryable", false);
  }

  /**
   * The next {@code count} hellos get no answer at all (a server that accepted the WebSocket and
   * then hung, or whose close the client never heard).
   */
  synchronized void ignoreHellos(int count) {
    ignoredHellos = count;
  }

  /** The client id of every hello, in order. */
  synchronized List<String> hellos() {
    return List.copyOf(hellos);
  }

  synchronized String text(String docId) {
    return doc(docId).text;
  }

  /** {@code client/seq} of every op committed to {@code docId}, in order. */
  synchronized List<String> committed(String docId) {
    return doc(docId).log.stream().map(c -> c.clientId() + "/" + c.seq()).toList();
  }

  /** {@code client/seq} of every submit held back, in order. */
  synchronized List<String> heldIds() {
    return held.stream()
        .map(h -> h.from().clientId + "/" + h.message().path("seq").asLong())
        .toList();
  }

  /** Commits {@code op} as if a socket that said {@code clientId} had submitted it at the head. */
  synchronized void commitAs(String clientId, long seq, String docId, TextOperation op) {
    commit(doc(docId), docId, op, clientId, seq, null);
  }

  /**
   * The next {@code count} submits of {@code docId} are answered {@code rate_limited} (retryable),
   * and the socket of the last of them closed with 1013, as the server does to a client that keeps
   * sending while refused.
   */
  synchronized void refuse(String docId, int count) {
    refusing.put(docId, count);
  }

  /** {@code client/seq} of every submit received, refused and held ones included, in order. */
  synchronized List<String> submits() {
    return List.copyOf(submits);
  }

  /**
   * {@code docId}'s history starts at {@code revision} now, as after a prune: a new op on a base
   * below it is refused with {@code gone}, and an open below it resynced ({@code opened {text,
   * resync: true}}).
   */
  synchronized void prune(String docId, long revision) {
    prunedBefore.put(docId, revision);
  }

  /** The {@code meta} of every {@code presence} received, as JSON, in order. */
  synchronized List<String> presenceMetas() {
    return List.copyOf(presenceMetas);
  }

  /** The document of every {@code open}, in order. */
  synchronized List<String> opens() {
    return List.copyOf(opens);
  }

  /**
   * Another node owns {@code docId} now: every socket that has it open is answered {@code moved}
   * with {@code owner}'s URL and forgets it, as a node that stepped down from a document does.
   */
  synchronized void moveTo(String docId, URI owner) {
    for (Connection subscriber : subscribers(docId)) {
      subscriber.documents.remove(docId);
      subscriber.send(
          Wire.message("error")
              .put("doc", docId)
              .put("code", "moved")
              .put("message", "served by another node")
              .put("retryable", true)
              .put("url", owner.toString()));
    }
  }

  /** From now on the submits of {@code docId} wait until {@link #release}. */
  synchronized void hold(String docId) {
    holding.add(docId);
  }

  /**
   * Sequences the held submits of {@code docId} in order, also those whose socket is gone since
   * (their answers are lost, their commits broadcast), and stops holding its submits. Their commits
   * go as one group: one {@code ops} frame to every subscriber, as the server sends a group commit.
   */
  synchronized void release(String docId) {
    holding.remove(docId);
    List<Held> due =
        held.stream().filter(h -> h.message().path("doc").asText().equals(docId)).toList();
    held.removeAll(due);
    group = Wire.message("ops").put("doc", docId);
    group.putArray("ops");
    due.forEach(h -> submit(h.from(), h.message()));
    ObjectNode ops = group;
    group = null;
    if (!ops.path("ops").isEmpty()) {
      subscribers(docId).forEach(subscriber -> subscriber.sendBinary(ops));
    }
  }

  /** Breaks every socket without a close frame, as a network failure would. */
  synchronized void dropConnections() {
    for (Connection connection : List.copyOf(connections)) {
      connection.abort();
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    dropConnections();
  }

  // ---- the protocol ----

  private synchronized void handle(Connection from, JsonNode message) {
    String type = message.path("type").asText();
    if (type.equals("hello")) {
      String clientId = message.path("client").asText();
      hellos.add(clientId);
      if (ignoredHellos > 0) {
        ignoredHellos--;
        return;
      }
      if (verify == null) {
        from.clientId = clientId;
        from.send(Wire.message("welcome").put("client", clientId).put("user", "u"));
        return;
      }
      Principal principal = verify.apply(message.path("token").asText());
      if (principal == null) {
        from.send(unauthorized("bad token"));
        from.close(1008, "unauthorized");
        return;
      }
      from.clientId = clientId;
      from.principal = principal;
      from.send(
          Wire.message("welcome")
              .put("client", clientId)
              .put("user", principal.user())
              .put("name", principal.name())
              .put("exp", principal.exp()));
      return;
    }
    if (type.equals("auth")) {
      String token = message.path("token").asText();
      auths.add(token);
      Principal principal = verify == null ? null : verify.apply(token);
      if (principal == null || !principal.user().equals(from.principal.user())) {
        from.send(unauthorized("refused"));
        return;
      }
      from.principal = principal;
      from.send(Wire.message("authed").put("user", principal.user()).put("exp", principal.exp()));
      return;
    }
    String docId = message.path("doc").asText();
    switch (type) {
      case "open" -> {
        opens.add(docId);
        Doc doc = doc(docId);
        from.documents.add(docId);
        ObjectNode opened = Wire.message("opened").put("doc", docId).put("rev", doc.log.size());
        if (message.has("rev")
            && message.path("rev").asLong() < prunedBefore.getOrDefault(docId, 0L)) {
          opened.put("text", doc.text).put("resync", true);
          doc.log.stream()
              .filter(c -> c.clientId().equals(from.clientId))
              .mapToLong(Committed::seq)
              .max()
              .ifPresent(seq -> opened.put("seq", seq));
        } else if (message.has("rev")) {
          var ops = opened.putArray("ops");
          for (Committed c : doc.log.subList(message.path("rev").asInt(), doc.log.size())) {
            ops.add(entry(c));
          }
        } else {
          opened.put("text", doc.text);
        }
        from.send(opened);
      }
      case "submit" -> {
        submits.add(from.clientId + "/" + message.path("seq").asLong());
        int refusals = refusing.getOrDefault(docId, 0);
        if (refusals > 0) {
          refusing.put(docId, refusals - 1);
          from.send(refusal(docId, message.path("seq").asLong(), "rate_limited", true));
          if (refusals == 1) {
            from.close(1013, "too many messages refused");
          }
        } else if (holding.contains(docId)) {
          held.add(new Held(from, message));
        } else {
          submit(from, message);
        }
      }
      case "close" -> {
        from.documents.remove(docId);
        from.send(Wire.message("closed").put("doc", docId));
      }
      case "ping" -> from.send(Wire.message("pong"));
      case "presence" -> presenceMetas.add(message.path("meta").toString()); // not relayed
      default -> {} // the rest: not needed by these tests
    }
  }

  private void submit(Connection from, JsonNode message) {
    String docId = message.path("doc").asText();
    long seq = message.path("seq").asLong();
    long base = message.path("rev").asLong();
    TextOperation op = OperationJson.parse(message.path("op").toString());
    Doc doc = doc(docId);
    Long earlier = doc.revisionBySeq.get(from.clientId + "/" + seq);
    if (earlier != null) {
      if (sameOp(doc, earlier, base, op)) {
        from.send(ack(docId, earlier, seq));
      } else {
        from.send(refusal(docId, seq, "seq_reused", false));
      }
      return;
    }
    if (base < prunedBefore.getOrDefault(docId, 0L)) {
      from.send(refusal(docId, seq, "gone", false));
      return;
    }
    for (Committed concurrent : doc.log.subList((int) base, doc.log.size())) {
      op = TextOperation.transform(op, concurrent.op()).left(); // the submitted op is LEFT
    }
    commit(doc, docId, op, from.clientId, seq, from);
  }

  /**
   * Whether {@code op} on {@code base}, transformed up to {@code revision - 1}, is the stored op.
   */
  private static boolean sameOp(Doc doc, long revision, long base, TextOperation op) {
    if (base >= revision) {
      return false;
    }
    for (Committed concurrent : doc.log.subList((int) base, (int) revision - 1)) {
      op = TextOperation.transform(op, concurrent.op()).left();
    }
    return op.equals(doc.log.get((int) revision - 1).op());
  }

  private void commit(
      Doc doc, String docId, TextOperation op, String clientId, long seq, Connection from) {
    doc.text = op.apply(doc.text);
    Committed committed = new Committed(doc.log.size() + 1, op, clientId, seq);
    doc.log.add(committed);
    doc.revisionBySeq.put(clientId + "/" + seq, committed.revision());
    if (group != null) {
      ((com.fasterxml.jackson.databind.node.ArrayNode) group.get("ops")).add(entry(committed));
    } else {
      ObjectNode ops = Wire.message("ops").put("doc", docId);
      ops.putArray("ops").add(entry(committed));
      subscribers(docId)
          .forEach(subscriber -> subscriber.sendBinary(ops)); // for its sender, its ack
    }
    if (from != null && !from.documents.contains(docId)) {
      from.send(ack(docId, committed.revision(), seq)); // closed meanwhile: acked alone
    }
  }

  /** An entry of {@code ops} (and of {@code opened}'s ops): {@code {rev, op, client, seq}}. */
  private static ObjectNode entry(Committed committed) {
    ObjectNode message =
        Wire.JSON
            .createObjectNode()
            .put("rev", committed.revision())
            .put("client", committed.clientId())
            .put("seq", committed.seq());
    try {
      message.set("op", Wire.JSON.readTree(OperationJson.toJson(committed.op())));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return message;
  }

  private static ObjectNode ack(String docId, long revision, long seq) {
    return Wire.message("ack").put("doc", docId).put("rev", revision).put("seq", seq);
  }

  private List<Connection> subscribers(String docId) {
    return connections.stream().filter(c -> c.documents.contains(docId)).toList();
  }

  private Doc doc(String docId) {
    return documents.computeIfAbsent(docId, id -> new Doc());
  }

  private synchronized void gone(Connection connection) {
    connections.remove(connection);
  }

  // ---- the WebSocket ----

  private void acceptAll() {
    while (!listener.isClosed()) {
      try {
        Socket socket = listener.accept();
        Connection connection = new Connection(socket);
        synchronized (this) {
          connections.add(connection);
        }
        Thread reader = new Thread(connection::serve, "fake-tandem-connection");
        reader.setDaemon(true);
        reader.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  /** One socket: its reader thread reads frames and hands each text message to the protocol. */
  private final class Connection {
    private final Socket socket;
    private OutputStream out;
    String clientId;
    Principal principal;
    final Set<String> documents = new HashSet<>();

    Connection(Socket socket) {
      this.socket = socket;
    }

    void serve() {
      try (socket) {
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
        out = socket.getOutputStream();
        handshake(in);
        for (; ; ) {
          int first = in.readUnsignedByte();
          int opcode = first & 0x0f;
          byte[] payload = readPayload(in);
          if (opcode == 0x8) { // close: answer it and end
            writeFrame(0x88, new byte[0]);
            return;
          } else if (opcode == 0x9) {
            writeFrame(0x8a, payload); // pong
          } else if (opcode == 0x1) {
            handle(this, Wire.parse(new String(payload, StandardCharsets.UTF_8)));
          }
        }
      } catch (IOException | RuntimeException ended) {
        // the socket is gone (or the test is over)
      } finally {
        gone(this);
      }
    }

    void send(ObjectNode message) {
      write(0x81, message);
    }

    /** As the server sends {@code ops}: UTF-8 JSON in a binary frame. */
    void sendBinary(ObjectNode message) {
      write(0x82, message);
    }

    private void write(int opcode, ObjectNode message) {
      try {
        writeFrame(opcode, Wire.encode(message).getBytes(StandardCharsets.UTF_8));
      } catch (IOException gone) {
        abort();
      }
    }

    /** Sends a close frame; the client answers it, or aborts the socket. */
    void close(int code, String reason) {
      byte[] text = reason.getBytes(StandardCharsets.UTF_8);
      byte[] payload = new byte[2 + text.length];
      payload[0] = (byte) (code >>> 8);
      payload[1] = (byte) code;
      System.arraycopy(text, 0, payload, 2, text.length);
      try {
        writeFrame(0x88, payload);
      } catch (IOException gone) {
        abort();
      }
    }

    void abort() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closed already
      }
      gone(this);
    }

    private void handshake(DataInputStream in) throws IOException {
      String key = null;
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("Sec-WebSocket-Key")) {
          key = line.substring(colon + 1).trim();
        }
      }
      String accept;
      try {
        accept =
            Base64.getEncoder()
                .encodeToString(
                    MessageDigest.getInstance("SHA-1")
                        .digest((key + WEBSOCKET_GUID).getBytes(StandardCharsets.US_ASCII)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      String response =
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Accept: "
              + accept
              + "\r\n\r\n";
      synchronized (this) {
        out.write(response.getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("handshake cut short");
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.US_ASCII);
    }

    /** A client frame's payload: always masked; lengths of 7, 16 or 64 bits. */
    private static byte[] readPayload(DataInputStream in) throws IOException {
      int second = in.readUnsignedByte();
      long length = second & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] mask = new byte[4];
      if ((second & 0x80) != 0) {
        in.readFully(mask);
      }
      byte[] payload = new byte[Math.toIntExact(length)];
      in.readFully(payload);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= mask[i % 4];
      }
      return payload;
    }

    private synchronized void writeFrame(int first, byte[] payload) throws IOException {
      ByteArrayOutputStream frame = new ByteArrayOutputStream();
      frame.write(first);
      if (payload.length < 126) {
        frame.write(payload.length);
      } else if (payload.length < 65_536) {
        frame.write(126);
        frame.write(payload.length >>> 8);
        frame.write(payload.length & 0xff);
      } else {
        frame.write(127);
        for (int shift = 56; shift >= 0; shift -= 8) {
          frame.write((int) ((long) payload.length >>> shift) & 0xff);
        }
      }
      frame.write(payload);
      out.write(frame.toByteArray());
      out.flush();
    }
  }
}
