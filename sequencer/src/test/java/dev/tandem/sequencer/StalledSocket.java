package dev.tandem.sequencer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain socket with a small receive buffer, which completes the upgrade and
 * then reads nothing until told to: a client that never reads, as a hostile or stalled one does. It
 * only sends (masked text frames) until {@link #readCloseCode} reads what the server sent.
 */
final class StalledSocket implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private StalledSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects to the server's {@code /ws} and completes the upgrade; sends nothing else. */
  static StalledSocket connect(TandemServer server) {
    try {
      Socket socket = new Socket();
      socket.setReceiveBufferSize(4096); // before connect: the window the server sees stays small
      socket.setSoTimeout((int) WsClient.WAIT.toMillis());
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
      StalledSocket stalled = new StalledSocket(socket);
      stalled.upgrade();
      return stalled;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Connects and sends hello as {@code clientId} (the welcome stays unread). */
  static StalledSocket hello(TandemServer server, String clientId) {
    StalledSocket stalled = connect(server);
    stalled.send("{\"type\":\"hello\",\"client\":\"" + clientId + "\",\"protocol\":1}");
    return stalled;
  }

  /** Sends one masked text frame. */
  void send(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write(0x81); // FIN, text
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i & 3]);
    }
    try {
      out.write(frame.toByteArray());
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts reading: skips every frame the server sent until its close frame, and returns the close
   * code, or -1 if the connection ended without one.
   */
  int readCloseCode() {
    try {
      while (true) {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        if ((first & 0x0f) == 0x8) { // close: a 2-byte code, then the reason
          return length >= 2 ? in.readUnsignedShort() : 1005;
        }
        in.skipNBytes(length);
      }
    } catch (EOFException e) {
      return -1;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Goes away at once, without a close frame (a reset, as its unread data is dropped). */
  @Override
  public void close() {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }

  private void upgrade() throws IOException {
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    String request =
        "GET /ws HTTP/1.1\r\n"
            + "Host: 127.0.0.1\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(key)
            + "\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      head.append((char) in.readUnsignedByte());
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head);
    }
  }
}
