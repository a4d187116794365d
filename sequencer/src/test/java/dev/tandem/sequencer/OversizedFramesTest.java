package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 12, item 10: a message over the size limit is closed with 1009 however it is framed. A
 * single frame over Tyrus's 16 MiB buffer used to be closed with 1011 ("internal, reconnect"), so a
 * client that resent it looped. The JDK's client cuts messages into small frames, so this test
 * writes its frames itself, as a browser or another client may: one frame per message.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class OversizedFramesTest {
  private static final int LIMIT = 4096;
  private static TandemServer server;

  @BeforeAll
  static void start() {
    server = Servers.start(Servers.config().maxMessageBytes(LIMIT).build());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aSingleFrameBeyondTheTransportsBufferClosesWith1009() throws IOException {
    try (RawSocket socket = RawSocket.hello("frames-1")) {
      socket.frame(true, 1, new byte[17 * 1024 * 1024]);
      assertEquals(1009, socket.closeCode());
    }
  }

  @Test
  void aSingleFrameJustOverTheLimitClosesWith1009AndOneAtItIsServed() throws IOException {
    try (RawSocket socket = RawSocket.hello("frames-2")) {
      byte[] ping = "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
      byte[] padded = Arrays.copyOf(ping, LIMIT);
      Arrays.fill(padded, ping.length, LIMIT, (byte) ' ');
      socket.frame(true, 1, padded);
      assertTrue(socket.nextText().contains("\"pong\""));
      socket.frame(true, 1, Arrays.copyOf(padded, LIMIT + 1));
      assertEquals(1009, socket.closeCode());
    }
  }

  @Test
  void anOversizedFirstFragmentOfAFragmentedMessageClosesWith1009() throws IOException {
    try (RawSocket socket = RawSocket.hello("frames-3")) {
      socket.frame(false, 1, new byte[20 * 1024 * 1024]);
      socket.frame(false, 0, new byte[10]);
      socket.frame(true, 0, new byte[10]);
      assertEquals(1009, socket.closeCode());
    }
  }

  @Test
  void anOversizedBinaryFrameIsABadRequestAndTheSocketStaysOpen() throws IOException {
    try (RawSocket socket = RawSocket.hello("frames-4")) {
      socket.frame(true, 2, new byte[17 * 1024 * 1024]);
      assertTrue(socket.nextText().contains("\"bad_request\""));
      socket.frame(true, 1, "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8));
      assertTrue(socket.nextText().contains("\"pong\""));
    }
  }

  /** A WebSocket client that writes whole frames as given, masked with a zero key. */
  private static final class RawSocket implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawSocket() throws IOException {
      socket = new Socket("127.0.0.1", server.port());
      socket.setSoTimeout((int) WsClient.WAIT.toMillis());
      out = socket.getOutputStream();
      in = new DataInputStream(socket.getInputStream());
      out.write(
          ("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      while (!response.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        response.write(in.readUnsignedByte());
      }
      assertTrue(
          response.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101"),
          response.toString(StandardCharsets.US_ASCII));
    }

    static RawSocket hello(String clientId) throws IOException {
      RawSocket socket = new RawSocket();
      socket.frame(
          true,
          1,
          ("{\"type\":\"hello\",\"client\":\"" + clientId + "\",\"protocol\":1}")
              .getBytes(StandardCharsets.UTF_8));
      assertTrue(socket.nextText().contains("\"welcome\""));
      return socket;
    }

    void frame(boolean fin, int opcode, byte[] payload) throws IOException {
      ByteArrayOutputStream header = new ByteArrayOutputStream();
      header.write((fin ? 0x80 : 0) | opcode);
      if (payload.length < 126) {
        header.write(0x80 | payload.length);
      } else if (payload.length <= 0xFFFF) {
        header.write(0x80 | 126);
        header.write(payload.length >>> 8);
        header.write(payload.length & 0xFF);
      } else {
        header.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
          header.write((int) ((long) payload.length >>> shift) & 0xFF);
        }
      }
      header.write(new byte[4]); // a zero mask key leaves the payload as it is
      out.write(header.toByteArray());
      out.write(payload);
      out.flush();
    }

    /** The payload of the next text frame (the server sends each message in one frame). */
    String nextText() throws IOException {
      while (true) {
        int first = in.readUnsignedByte();
        byte[] payload = payload();
        if ((first & 0x0F) == 1) {
          return new String(payload, StandardCharsets.UTF_8);
        }
        if ((first & 0x0F) == 8) {
          throw new AssertionError("closed with " + closeCode(payload));
        }
      }
    }

    /** The code of the close frame, after any other frames; fails on a reset or an early end. */
    int closeCode() throws IOException {
      try {
        while (true) {
          int first = in.readUnsignedByte();
          byte[] payload = payload();
          if ((first & 0x0F) == 8) {
            return closeCode(payload);
          }
        }
      } catch (EOFException e) {
        throw new AssertionError("the connection ended without a close frame", e);
      }
    }

    private byte[] payload() throws IOException {
      int length = in.readUnsignedByte() & 0x7F; // server frames are not masked
      long size = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
      byte[] payload = new byte[(int) size];
      in.readFully(payload);
      return payload;
    }

    private static int closeCode(byte[] payload) {
      return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
