package dev.tandem.sequencer.ws;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.Session;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.Writer;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.ssl.SSLBaseFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes an {@link Outbox}'s frames to one socket.
 *
 * <p>Why not Tyrus's {@code RemoteEndpoint.Async}: for every frame and every socket it builds a
 * frame object, copies the payload into a new buffer behind a new header, takes the socket's send
 * lock and its idle-timer lock and queues a task, and then Grizzly runs its whole filter chain.
 * With 500 editors on a document that was 59 % of the delivering thread's Java samples (JFR,
 * typists 500), for bytes that are the same for every socket: a server's frames are not masked. So
 * a frame is encoded here once ({@link #binaryFrame}, shared by every socket that receives it) and
 * handed whole to the write queue of the socket's Grizzly transport, where the filter chain would
 * end. See docs/decisions/0009-frames-written-to-grizzly.md.
 *
 * <p>Every data frame of a socket goes this way, so they keep the order the outbox gives them;
 * Tyrus writes only control frames (close, ping, pong), whole, between them. Where the connection
 * cannot be reached (another Tyrus), an extension was negotiated that would change the frames, or
 * the chain encrypts, the frames go through Tyrus as before.
 */
abstract class SocketWriter {
  private static final Logger log = LoggerFactory.getLogger(SocketWriter.class);
  private static final byte FIN = (byte) 0x80;
  private static final byte TEXT = 0x1;
  private static final byte BINARY = 0x2;

  /** Writes {@code frame} whole; {@code done} is told whether it was written. */
  abstract void write(Outbox.Frame frame, Consumer<Boolean> done);

  /** The writer for {@code session}: straight to Grizzly when the connection can be reached. */
  @SuppressWarnings("rawtypes")
  static SocketWriter of(Session session) {
    Connection connection =
        session.getNegotiatedExtensions().isEmpty() ? Path.connection(session) : null;
    if (connection != null && writesPlainBytes(connection)) {
      return new ToGrizzly(connection);
    }
    return new ToTyrus(session.getAsyncRemote());
  }

  /**
   * Whether this Tyrus shows a session's Grizzly connection (false: every frame goes through it).
   */
  static boolean reachesGrizzly() {
    return Path.FOUND;
  }

  /**
   * Whether what is written to {@code connection}'s transport goes to the network as it is: no
   * filter of its chain encrypts it (this server speaks no TLS; a filter chain with one must not be
   * bypassed).
   */
  @SuppressWarnings("rawtypes")
  private static boolean writesPlainBytes(Connection connection) {
    Object processor =
        connection.getProcessor() != null
            ? connection.getProcessor()
            : connection.getTransport().getProcessor();
    return processor instanceof FilterChain chain
        && chain.stream().noneMatch(SSLBaseFilter.class::isInstance);
  }

  /** A binary frame holding {@code payload}, header and all, as a server sends it (not masked). */
  static byte[] binaryFrame(byte[] payload) {
    return frame(BINARY, payload, 0, payload.length);
  }

  /**
   * A text frame holding {@code text} in UTF-8.
   *
   * @throws CharacterCodingException if {@code text} holds a lone surrogate (no UTF-8 for it)
   */
  static byte[] textFrame(String text) throws CharacterCodingException {
    ByteBuffer utf8 =
        StandardCharsets.UTF_8
            .newEncoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .encode(CharBuffer.wrap(text));
    return frame(TEXT, utf8.array(), utf8.arrayOffset() + utf8.position(), utf8.remaining());
  }

  private static byte[] frame(byte opcode, byte[] payload, int offset, int length) {
    int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
    byte[] frame = new byte[header + length];
    frame[0] = (byte) (FIN | opcode);
    if (length < 126) {
      frame[1] = (byte) length;
    } else if (length < 65536) {
      frame[1] = 126;
      frame[2] = (byte) (length >>> 8);
      frame[3] = (byte) length;
    } else {
      frame[1] = 127;
      for (int i = 0; i < 8; i++) {
        frame[2 + i] = (byte) ((long) length >>> (56 - 8 * i));
      }
    }
    System.arraycopy(payload, offset, frame, header, length);
    return frame;
  }

  @SuppressWarnings({"rawtypes", "unchecked"}) // Grizzly's Connection is generic in its address
  private static final class ToGrizzly extends SocketWriter {
    private final Connection connection;
    private final Writer queue;

    ToGrizzly(Connection connection) {
      this.connection = connection;
      this.queue = connection.getTransport().getWriter(false);
    }

    @Override
    void write(Outbox.Frame frame, Consumer<Boolean> done) {
      byte[] wire;
      try {
        wire = frame.wire();
      } catch (CharacterCodingException e) {
        done.accept(false);
        return;
      }
      Buffer buffer = Buffers.wrap(connection.getMemoryManager(), wire);
      buffer.allowBufferDispose(false); // the array is shared by every subscriber: never recycled
      queue.write( // a closed connection's write fails: done hears it
          connection,
          buffer,
          new EmptyCompletionHandler<WriteResult>() {
            @Override
            public void completed(WriteResult result) {
              done.accept(true);
            }

            @Override
            public void failed(Throwable error) {
              done.accept(false);
            }

            @Override
            public void cancelled() {
              done.accept(false);
            }
          });
    }
  }

  private static final class ToTyrus extends SocketWriter {
    private final RemoteEndpoint.Async remote;

    ToTyrus(RemoteEndpoint.Async remote) {
      this.remote = remote;
    }

    @Override
    void write(Outbox.Frame frame, Consumer<Boolean> done) {
      SendHandler handler = result -> done.accept(result.isOK());
      if (frame instanceof Outbox.Binary binary) {
        remote.sendBinary(binary.payload(), handler);
      } else {
        remote.sendText(((Outbox.Text) frame).text(), handler);
      }
    }
  }

  /**
   * Tyrus 2.2's path from a session to its Grizzly connection: the remote endpoint's web socket,
   * its protocol handler, its writer. Read once; null fields if this Tyrus has another shape.
   */
  private static final class Path {
    private static final Field WEB_SOCKET =
        field("org.glassfish.tyrus.core.TyrusRemoteEndpoint", "webSocket");
    private static final Field HANDLER =
        field("org.glassfish.tyrus.core.TyrusWebSocket", "protocolHandler");
    private static final Field WRITER = field("org.glassfish.tyrus.core.ProtocolHandler", "writer");
    private static final Field CONNECTION =
        field("org.glassfish.tyrus.container.grizzly.client.GrizzlyWriter", "connection");

    static final boolean FOUND =
        WEB_SOCKET != null && HANDLER != null && WRITER != null && CONNECTION != null;

    static {
      if (!FOUND) {
        log.warn("frames go through Tyrus: this Tyrus does not show its Grizzly connection");
      }
    }

    @SuppressWarnings("rawtypes")
    static Connection connection(Session session) {
      if (!FOUND) {
        return null;
      }
      try {
        Object webSocket = WEB_SOCKET.get(session.getAsyncRemote());
        Object handler = webSocket == null ? null : HANDLER.get(webSocket);
        Object writer = handler == null ? null : WRITER.get(handler);
        if (writer == null || !CONNECTION.getDeclaringClass().isInstance(writer)) {
          return null;
        }
        return (Connection) CONNECTION.get(writer);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    private static Field field(String className, String name) {
      try {
        Field field = Class.forName(className).getDeclaredField(name);
        field.setAccessible(true);
        return field;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }
  }
}
