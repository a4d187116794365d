package dev.tandem.sequencer.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.MemoryManager;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The frame reader of {@link FrameSizeGuard}, on a stream cut into pieces of every size. */
class FrameSizeGuardTest {
  private static final byte[] KEY = {1, 2, 3, 4};

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void anOversizedFrameIsCutAndEndedWhereverThePiecesEnd(long seed) {
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    byte[] small = frame(0x81, "ab".getBytes());
    in.writeBytes(small);
    expected.writeBytes(small);
    in.writeBytes(frame(0x81, new byte[300])); // 300 > 4: its first 5 bytes, not final
    expected.writeBytes(new byte[] {0x01, (byte) 0x85, 1, 2, 3, 4, 0, 0, 0, 0, 0});
    expected.writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, 0, 0, 0, 0}); // the end
    byte[] ping = frame(0x89, new byte[3]); // control frames pass as they are
    in.writeBytes(ping);
    expected.writeBytes(ping);
    in.writeBytes(frame(0x02, new byte[70_000])); // binary, not final: no end added
    expected.writeBytes(new byte[] {0x02, (byte) 0x85, 1, 2, 3, 4, 0, 0, 0, 0, 0});
    byte[] last = frame(0x80, new byte[4]);
    in.writeBytes(last);
    expected.writeBytes(last);

    byte[] stream = in.toByteArray();
    Random random = new Random(seed);
    FrameSizeGuard.Frames frames = new FrameSizeGuard.Frames(4);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int position = 0; position < stream.length; ) {
      int size = Math.min(stream.length - position, 1 + random.nextInt(seed % 2 == 0 ? 3 : 400));
      byte[] piece = java.util.Arrays.copyOfRange(stream, position, position + size);
      byte[] handedOn = frames.filter(buffer(piece));
      out.writeBytes(handedOn == null ? piece : handedOn);
      position += size;
    }
    assertArrayEquals(expected.toByteArray(), out.toByteArray(), "seed " + seed);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 125, 126, 65_535, 65_536})
  void framesWithinTheLimitAreHandedOnAsTheyAre(int size) {
    FrameSizeGuard.Frames frames = new FrameSizeGuard.Frames(65_536);
    byte[] stream = frame(0x81, new byte[size]);
    assertNull(frames.filter(buffer(stream)));
    assertNull(frames.filter(buffer(frame(0x81, new byte[1]))));
  }

  /** A masked frame; {@code first} is its first byte (FIN, opcode). */
  private static byte[] frame(int first, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(first);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else if (payload.length <= 0xFFFF) {
      out.write(0x80 | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xFF);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) payload.length >>> shift) & 0xFF);
      }
    }
    out.writeBytes(KEY);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private static Buffer buffer(byte[] bytes) {
    return Buffers.wrap(MemoryManager.DEFAULT_MEMORY_MANAGER, bytes);
  }
}
