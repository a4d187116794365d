package dev.tandem.sequencer.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The frames {@link SocketWriter} writes past Tyrus, read back by RFC 6455's rules (section 5.2),
 * and the path to the Grizzly connection it relies on.
 */
class SocketWriterTest {
  private static final int FIN = 0x80;

  /** What a client reads from one unmasked server frame: its first byte and its payload. */
  private record Read(int first, byte[] payload) {}

  private static Read read(byte[] frame) {
    ByteBuffer in = ByteBuffer.wrap(frame);
    int first = in.get() & 0xff;
    int second = in.get() & 0xff;
    assertEquals(0, second & 0x80, "a server's frame is not masked");
    long length = second & 0x7f;
    if (length == 126) {
      length = in.getShort() & 0xffff;
      assertTrue(length >= 126, "the shortest length encoding");
    } else if (length == 127) {
      length = in.getLong();
      assertTrue(length >= 65536, "the shortest length encoding");
    }
    assertEquals(in.remaining(), length, "the payload is the rest of the frame");
    byte[] payload = new byte[in.remaining()];
    in.get(payload);
    return new Read(first, payload);
  }

  @Test
  void binaryFramesCarryTheirPayloadWithEveryLengthEncoding() {
    Random random = new Random(17);
    for (int length : new int[] {0, 1, 125, 126, 127, 65535, 65536, 70_000}) {
      byte[] payload = new byte[length];
      random.nextBytes(payload);
      Read read = read(SocketWriter.binaryFrame(payload));
      assertEquals(FIN | 0x2, read.first(), "final binary frame, no extension bits, at " + length);
      assertArrayEquals(payload, read.payload(), "payload of " + length + " bytes");
    }
  }

  @Test
  void textFramesCarryUtf8() throws CharacterCodingException {
    String text = "{\"type\":\"presence\",\"meta\":\"é中😀\"}" + "x".repeat(200);
    Read read = read(SocketWriter.textFrame(text));
    assertEquals(FIN | 0x1, read.first(), "final text frame");
    assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), read.payload());
  }

  @Test
  void aLoneSurrogateHasNoTextFrame() {
    // As Tyrus refused to encode it: the outbox then gives the socket up instead of sending '?'.
    assertThrows(CharacterCodingException.class, () -> SocketWriter.textFrame("a\uD800b"));
    assertThrows(CharacterCodingException.class, () -> SocketWriter.textFrame("\uDC00"));
  }

  @Test
  void aSharedBinaryFrameShowsTyrusItsPayloadOnly() {
    byte[] payload = "{\"type\":\"ops\"}".getBytes(StandardCharsets.UTF_8);
    Outbox.Binary frame = (Outbox.Binary) Outbox.Frame.binary(payload);
    assertEquals(payload.length, frame.bytes());
    ByteBuffer seen = frame.payload();
    byte[] bytes = new byte[seen.remaining()];
    seen.get(bytes);
    assertArrayEquals(payload, bytes);
    assertArrayEquals(
        SocketWriter.binaryFrame(payload), frame.wire(), "one frame, built once for every socket");
    assertTrue(Arrays.equals(payload, read(frame.wire()).payload()));
  }

  @Test
  void thisTyrusShowsItsGrizzlyConnection() {
    // Fails on a Tyrus upgrade that moves the fields SocketWriter reads: every frame would still be
    // sent, through Tyrus, but at the cost measured in docs/decisions/0009.
    assertTrue(SocketWriter.reachesGrizzly());
  }
}
