package dev.tandem.sequencer.ws;

import java.io.ByteArrayOutputStream;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.http.HttpContent;
import org.glassfish.grizzly.http.HttpRequestPacket;
import org.glassfish.grizzly.http.HttpServerFilter;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.grizzly.memory.Buffers;

/**
 * Makes a WebSocket message over the size limit end with 1009 however it is framed, by keeping
 * Tyrus from buffering any data frame larger than the limit.
 *
 * <p>Tyrus reads each frame whole into a buffer before anyone sees it, and closes a socket whose
 * frame outgrows that buffer with 1011 ("internal error, reconnect"), after logging a stack trace;
 * a client that then reconnects and resends loops. This filter, between the HTTP codec and Tyrus on
 * a WebSocket connection, reads the frame headers: a data frame whose payload is over {@code
 * maxMessageBytes} is handed on cut to its first {@code maxMessageBytes + 1} bytes and marked not
 * final, the rest of its payload is read and dropped, and if it was final an empty final
 * continuation frame follows. {@link EditEndpoint} then sees a message over the limit end, as it
 * does for one of many small fragments, and closes with 1009 once all of it was read (closing
 * earlier would leave unread data, answered by a reset instead of the close frame).
 */
public final class FrameSizeGuard extends BaseFilter implements AddOn {
  private static final Attribute<Frames> FRAMES =
      Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(FrameSizeGuard.class.getName());

  private final long maxPayload;

  public FrameSizeGuard(int maxMessageBytes) {
    this.maxPayload = maxMessageBytes;
  }

  @Override
  public void setup(NetworkListener listener, FilterChainBuilder builder) {
    int codec = builder.indexOfType(HttpServerFilter.class);
    builder.add(codec + 1, this);
  }

  @Override
  public NextAction handleRead(FilterChainContext ctx) {
    if (!(ctx.getMessage() instanceof HttpContent content)
        || !(content.getHttpHeader() instanceof HttpRequestPacket request)
        || !request.isUpgrade()
        || !"websocket".equalsIgnoreCase(request.getUpgrade())) {
      return ctx.getInvokeAction();
    }
    Frames frames = FRAMES.get(ctx.getConnection());
    if (frames == null) {
      frames = new Frames(maxPayload);
      FRAMES.set(ctx.getConnection(), frames);
    }
    byte[] bytes = frames.filter(content.getContent());
    if (bytes != null) {
      ctx.setMessage(
          HttpContent.create(
              request, content.isLast(), Buffers.wrap(ctx.getMemoryManager(), bytes)));
    }
    return ctx.getInvokeAction();
  }

  /**
   * The client's frames on one connection (RFC 6455, section 5.2), read as they arrive in pieces of
   * any size. Grizzly reads one connection on one thread at a time.
   */
  static final class Frames {
    private static final int OPCODE_CONTINUATION = 0;
    private static final int OPCODE_BINARY = 2;

    private final long maxPayload;
    private final byte[] header = new byte[14];
    private int headerLength; // bytes of the current frame's header read so far
    private long passing; // payload bytes still to hand on
    private long dropping; // payload bytes still to drop
    private boolean finishAfterDrop; // then an empty final continuation frame ends the message
    private int finishMask; // the mask bit of that frame, as the client's

    Frames(long maxPayload) {
      this.maxPayload = maxPayload;
    }

    /**
     * The bytes to hand on for these, which are read to their end; null if they are these bytes
     * exactly (no frame over the limit, no header cut by the end of the piece), as nearly always.
     */
    byte[] filter(Buffer in) {
      int start = in.position();
      int end = in.limit();
      int position = start;
      int headerStart = start; // where the current header began, while nothing was changed
      ByteArrayOutputStream out = // set once the bytes handed on differ from these
          headerLength > 0 || dropping > 0 || finishAfterDrop
              ? new ByteArrayOutputStream(end - start + 16)
              : null;
      while (position < end) {
        if (passing > 0) {
          int count = (int) Math.min(passing, end - position);
          if (out != null) {
            copy(in, position, count, out);
          }
          position += count;
          passing -= count;
        } else if (dropping > 0) {
          int count = (int) Math.min(dropping, end - position);
          position += count;
          dropping -= count;
        } else {
          if (headerLength == 0) {
            headerStart = position;
          }
          header[headerLength++] = in.get(position++);
          if (headerLength == headerSize()) {
            long length = payloadLength();
            int opcode = header[0] & 0x0F;
            if (opcode <= OPCODE_BINARY && length > maxPayload) {
              if (out == null) {
                out = new ByteArrayOutputStream(end - start + 16);
                copy(in, start, headerStart - start, out);
              }
              cut(length, out);
            } else {
              if (out != null) {
                out.write(header, 0, headerLength); // as it came
              }
              passing = length;
            }
            headerLength = 0;
          }
        }
        if (passing == 0 && dropping == 0 && finishAfterDrop) {
          out.write(0x80 | OPCODE_CONTINUATION);
          out.write(finishMask); // length 0, and a zero mask key if masked
          if (finishMask != 0) {
            out.write(new byte[4], 0, 4);
          }
          finishAfterDrop = false;
        }
      }
      if (out == null && headerLength > 0) { // held back until the rest of the header comes
        out = new ByteArrayOutputStream(end - start);
        copy(in, start, headerStart - start, out);
      }
      return out == null ? null : out.toByteArray();
    }

    private static void copy(Buffer in, int from, int count, ByteArrayOutputStream out) {
      byte[] bytes = new byte[count];
      in.toByteBuffer(from, from + count).get(bytes);
      out.write(bytes, 0, count);
    }

    private int headerSize() {
      if (headerLength < 2) {
        return 2;
      }
      int length7 = header[1] & 0x7F;
      int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
      return 2 + extended + ((header[1] & 0x80) != 0 ? 4 : 0);
    }

    private long payloadLength() {
      int length7 = header[1] & 0x7F;
      int lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
      if (lengthBytes == 0) {
        return length7;
      }
      long length = 0;
      for (int i = 0; i < lengthBytes; i++) {
        length = (length << 8) | (header[2 + i] & 0xFF);
      }
      return length < 0 ? Long.MAX_VALUE : length; // the top bit must be 0: too big either way
    }

    /** Hands on the frame's header for its first {@code maxPayload + 1} bytes, not final. */
    private void cut(long length, ByteArrayOutputStream out) {
      int mask = header[1] & 0x80;
      long kept = maxPayload + 1;
      out.write(header[0] & 0x7F); // not final; the reserved bits and the opcode as they were
      if (kept < 126) {
        out.write(mask | (int) kept);
      } else if (kept <= 0xFFFF) {
        out.write(mask | 126);
        out.write((int) (kept >>> 8) & 0xFF);
        out.write((int) kept & 0xFF);
      } else {
        out.write(mask | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
          out.write((int) (kept >>> shift) & 0xFF);
        }
      }
      if (mask != 0) {
        out.write(header, headerLength - 4, 4); // the same key unmasks the bytes kept
      }
      passing = kept;
      dropping = length - kept;
      finishAfterDrop = (header[0] & 0x80) != 0;
      finishMask = mask;
    }
  }
}
