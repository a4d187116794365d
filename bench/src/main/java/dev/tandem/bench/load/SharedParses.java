package dev.tandem.bench.load;

import java.util.Arrays;

/**
 * Parses of binary frames, shared by the editors that receive the same bytes. The server writes a
 * commit group's {@code ops} message once for all subscribers of a document, so hundreds of editors
 * receive it byte for byte the same; parsing it hundreds of times would make the generator, not the
 * server, the bottleneck. Each editor still receives and reads its own frame: it compares the whole
 * frame with the one parsed before (a mismatch is parsed afresh), so every socket's bytes are
 * checked, and only their parse is shared.
 *
 * <p>Thread-safe: slots hold immutable entries, published through final fields; a reader that sees
 * an older entry or none only parses again.
 */
final class SharedParses {
  private static final int SLOTS = 1024;
  private static final int SAMPLE = 64; // bytes at each end of a frame that pick its slot

  private record Parsed(byte[] bytes, ServerMessage message) {}

  private final Parsed[] slots = new Parsed[SLOTS];
  private final boolean readOps;

  /** {@code readOps}: as {@link ServerMessage#parse(byte[], int, int, boolean)}. */
  SharedParses(boolean readOps) {
    this.readOps = readOps;
  }

  /** The message in {@code frame[offset, offset + length)}. */
  ServerMessage parse(byte[] frame, int offset, int length) {
    int slot = slotOf(frame, offset, length);
    Parsed known = slots[slot];
    if (known != null
        && known.bytes().length == length
        && Arrays.equals(known.bytes(), 0, length, frame, offset, offset + length)) {
      return known.message();
    }
    ServerMessage message = ServerMessage.parse(frame, offset, length, readOps);
    slots[slot] = new Parsed(Arrays.copyOfRange(frame, offset, offset + length), message);
    return message;
  }

  /** A hash of the length and the bytes at both ends, where revisions and client ids differ. */
  private static int slotOf(byte[] frame, int offset, int length) {
    int hash = length;
    int head = Math.min(SAMPLE, length);
    for (int i = 0; i < head; i++) {
      hash = 31 * hash + frame[offset + i];
    }
    for (int i = Math.max(head, length - SAMPLE); i < length; i++) {
      hash = 31 * hash + frame[offset + i];
    }
    return (hash ^ (hash >>> 16)) & (SLOTS - 1);
  }
}
