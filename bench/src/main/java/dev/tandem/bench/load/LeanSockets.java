package dev.tandem.bench.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lean WebSocket client (RFC 6455, client side, no extensions) for the load generator: a few
 * selector threads serve every socket, and a message reaches its {@link Listener} as the bytes it
 * arrived in, without copies, threads or futures per message. The JDK's {@code java.net.http}
 * WebSocket spent about four fifths of the generator's CPU in its own machinery with 500 editors,
 * taking cores from the server it measures.
 *
 * <p>Sends may come from any thread: a frame is written at once if nothing waits before it, else
 * queued and written by the socket's selector thread when the socket is writable.
 */
public final class LeanSockets implements AutoCloseable {
  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int READ_BUFFER = 16 * 1024;

  /** What a socket tells its owner; called on the socket's selector thread, one call at a time. */
  public interface Listener {
    void onOpen(Socket socket);

    /** A whole message; {@code data[offset, offset + length)} is valid only during the call. */
    void onMessage(Socket socket, byte[] data, int offset, int length, boolean binary);

    void onClose(Socket socket, int code, String reason);

    void onError(Socket socket, Throwable error);
  }

  private final Loop[] loops;
  private final AtomicInteger next = new AtomicInteger();

  public LeanSockets(int threads) throws IOException {
    loops = new Loop[Math.max(1, threads)];
    for (int i = 0; i < loops.length; i++) {
      loops[i] = new Loop("load-socket-" + (i + 1));
    }
  }

  /** Connects to {@code uri} ({@code ws://host:port/path}); the listener hears the rest. */
  public void connect(URI uri, Listener listener) {
    Loop loop = loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    loop.run(
        () -> {
          Socket socket = new Socket(loop, uri, listener);
          try {
            socket.start();
          } catch (IOException | RuntimeException e) {
            socket.failed(e);
          }
        });
  }

  @Override
  public void close() {
    for (Loop loop : loops) {
      loop.close();
    }
  }

  /** One selector thread and the tasks handed to it. */
  private static final class Loop implements Runnable {
    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    Loop(String name) throws IOException {
      selector = Selector.open();
      thread = new Thread(this, name);
      thread.setDaemon(true);
      thread.start();
    }

    void run(Runnable task) {
      tasks.add(task);
      selector.wakeup();
    }

    @Override
    public void run() {
      try {
        while (running) {
          selector.select();
          Runnable task;
          while ((task = tasks.poll()) != null) {
            task.run();
          }
          for (SelectionKey key : selector.selectedKeys()) {
            Socket socket = (Socket) key.attachment();
            try {
              socket.ready(key);
            } catch (CancelledKeyException e) {
              // closed meanwhile
            } catch (IOException | RuntimeException e) {
              socket.failed(e);
            }
          }
          selector.selectedKeys().clear();
        }
      } catch (IOException | ClosedSelectorException e) {
        // the generator is shutting down
      }
    }

    void close() {
      running = false;
      selector.wakeup();
      try {
        thread.join(5_000);
        for (SelectionKey key : selector.keys()) {
          key.channel().close();
        }
        selector.close();
      } catch (IOException e) {
        // nothing left to do
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One connection: the handshake, then frames both ways. */
  public static final class Socket {
    private final Loop loop;
    private final URI uri;
    private final Listener listener;
    private final String key;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private SocketChannel channel;
    private SelectionKey selectionKey;
    private ByteBuffer in = ByteBuffer.allocate(READ_BUFFER); // filled from 0 to position
    private boolean upgraded; // the loop's thread only
    private byte[] message = new byte[0]; // a fragmented message being put together
    private int messageLength;
    private boolean messageBinary;
    private boolean fragmented;

    // Guarded by this.
    private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
    private boolean closing;
    private boolean done;

    private Socket(Loop loop, URI uri, Listener listener) {
      this.loop = loop;
      this.uri = uri;
      this.listener = listener;
      byte[] nonce = new byte[16];
      ThreadLocalRandom.current().nextBytes(nonce);
      this.key = Base64.getEncoder().encodeToString(nonce);
    }

    /** Sends one text frame; never blocks. Ignored once the socket is closing. */
    public void send(String text) {
      sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Starts the closing handshake (1000); completes when the connection is closed. */
    public CompletableFuture<Void> close() {
      byte[] code = {(byte) (1000 >> 8), (byte) (1000 & 0xff)};
      sendFrame(0x8, code);
      synchronized (this) {
        closing = true;
      }
      return closed;
    }

    private void start() throws IOException {
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      int port = uri.getPort() > 0 ? uri.getPort() : 80;
      selectionKey = channel.register(loop.selector, SelectionKey.OP_CONNECT, this);
      if (channel.connect(new InetSocketAddress(uri.getHost(), port))) {
        connected();
      }
    }

    private void connected() throws IOException {
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + uri.getHost()
              + ":"
              + uri.getPort()
              + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
              + key
              + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
      selectionKey.interestOps(SelectionKey.OP_READ);
      write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
    }

    /** On the loop's thread: the socket is connectable, readable or writable. */
    private void ready(SelectionKey key) throws IOException {
      if (key.isConnectable()) {
        channel.finishConnect();
        connected();
        return;
      }
      if (key.isWritable()) {
        flush();
      }
      if (key.isReadable()) {
        read();
      }
    }

    private void read() throws IOException {
      int read = channel.read(in);
      if (read < 0) {
        finish(1006, "connection closed without a close frame");
        return;
      }
      in.flip();
      if (!upgraded && !readHandshake()) {
        in.compact();
        return;
      }
      readFrames();
      in.compact();
    }

    /** Reads the 101 response; false if it has not all arrived. */
    private boolean readHandshake() throws IOException {
      int end = indexOf(in, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      if (end < 0) {
        if (in.limit() == in.capacity()) {
          throw new IOException("handshake response too long");
        }
        return false;
      }
      byte[] head = new byte[end + 4];
      in.get(head);
      String response = new String(head, StandardCharsets.ISO_8859_1);
      if (!response.startsWith("HTTP/1.1 101")) {
        throw new IOException("handshake refused: " + response.lines().findFirst().orElse(""));
      }
      if (!response
          .toLowerCase(Locale.ROOT)
          .contains("sec-websocket-accept: " + accept(key).toLowerCase(Locale.ROOT))) {
        throw new IOException("handshake without the right Sec-WebSocket-Accept");
      }
      upgraded = true;
      listener.onOpen(this);
      return true;
    }

    /** Every whole frame in {@code in}; a partial one stays for the next read. */
    private void readFrames() throws IOException {
      while (in.remaining() >= 2 && !closed.isDone()) {
        int start = in.position();
        int first = in.get(start) & 0xff;
        int second = in.get(start + 1) & 0xff;
        int header = 2;
        long length = second & 0x7f;
        if (length == 126) {
          if (in.remaining() < 4) {
            break;
          }
          length = in.getShort(start + 2) & 0xffff;
          header = 4;
        } else if (length == 127) {
          if (in.remaining() < 10) {
            break;
          }
          length = in.getLong(start + 2);
          header = 10;
        }
        boolean masked = (second & 0x80) != 0;
        int maskAt = start + header;
        if (masked) {
          header += 4;
        }
        if (length > Integer.MAX_VALUE - header - 16) {
          throw new IOException("frame of " + length + " bytes");
        }
        int total = header + (int) length;
        if (in.remaining() < total) {
          if (in.capacity() < total) { // grow for a frame bigger than the buffer
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(total, 2 * in.capacity()));
            bigger.put(in);
            bigger.flip();
            in = bigger;
          }
          break;
        }
        byte[] data = in.array();
        int offset = start + header;
        if (masked) {
          for (int i = 0; i < length; i++) {
            data[offset + i] ^= data[maskAt + (i & 3)];
          }
        }
        in.position(start + total);
        frame(first & 0x0f, (first & 0x80) != 0, data, offset, (int) length);
      }
    }

    private void frame(int opcode, boolean fin, byte[] data, int offset, int length)
        throws IOException {
      switch (opcode) {
        case 0x1, 0x2 -> {
          if (fin && !fragmented) {
            listener.onMessage(this, data, offset, length, opcode == 0x2);
          } else {
            fragmented = true;
            messageBinary = opcode == 0x2;
            messageLength = 0;
            append(data, offset, length);
          }
        }
        case 0x0 -> {
          append(data, offset, length);
          if (fin) {
            fragmented = false;
            listener.onMessage(this, message, 0, messageLength, messageBinary);
          }
        }
        case 0x8 -> {
          int code = length >= 2 ? ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff) : 1005;
          String reason =
              length > 2 ? new String(data, offset + 2, length - 2, StandardCharsets.UTF_8) : "";
          boolean replied;
          synchronized (this) {
            replied = closing;
          }
          if (!replied) {
            sendFrame(0x8, Arrays.copyOfRange(data, offset, offset + Math.min(length, 2)));
          }
          finish(code, reason);
        }
        case 0x9 -> sendFrame(0xA, Arrays.copyOfRange(data, offset, offset + length));
        default -> {} // pong, or an opcode of a later protocol
      }
    }

    private void append(byte[] data, int offset, int length) {
      if (message.length < messageLength + length) {
        message = Arrays.copyOf(message, Math.max(2 * message.length, messageLength + length));
      }
      System.arraycopy(data, offset, message, messageLength, length);
      messageLength += length;
    }

    /**
     * One masked frame, as a client must send them, with the payload as it is (a text frame need
     * not hold UTF-8: the fuzzer sends what a broken client would); never blocks.
     */
    public void sendFrame(int opcode, byte[] payload) {
      int length = payload.length;
      int header = length < 126 ? 2 : length < 65536 ? 4 : 10;
      ByteBuffer frame = ByteBuffer.allocate(header + 4 + length);
      frame.put((byte) (0x80 | opcode));
      if (length < 126) {
        frame.put((byte) (0x80 | length));
      } else if (length < 65536) {
        frame.put((byte) (0x80 | 126));
        frame.putShort((short) length);
      } else {
        frame.put((byte) (0x80 | 127));
        frame.putLong(length);
      }
      int mask = ThreadLocalRandom.current().nextInt();
      frame.putInt(mask);
      byte[] maskBytes = {
        (byte) (mask >>> 24), (byte) (mask >>> 16), (byte) (mask >>> 8), (byte) mask
      };
      for (int i = 0; i < length; i++) {
        frame.put((byte) (payload[i] ^ maskBytes[i & 3]));
      }
      frame.flip();
      try {
        write(frame);
      } catch (IOException e) {
        failed(e);
      }
    }

    /** Writes at once if nothing waits before it, else queues for the loop. */
    private void write(ByteBuffer frame) throws IOException {
      synchronized (this) {
        if (closing || done) {
          return;
        }
        if (out.isEmpty()) {
          channel.write(frame);
          if (!frame.hasRemaining()) {
            return;
          }
        }
        out.addLast(frame);
      }
      loop.run(this::wantWrite);
    }

    private void wantWrite() {
      if (selectionKey.isValid()) {
        selectionKey.interestOps(selectionKey.interestOps() | SelectionKey.OP_WRITE);
      }
    }

    private void flush() throws IOException {
      synchronized (this) {
        while (!out.isEmpty()) {
          ByteBuffer frame = out.peekFirst();
          channel.write(frame);
          if (frame.hasRemaining()) {
            return;
          }
          out.removeFirst();
        }
      }
      selectionKey.interestOps(SelectionKey.OP_READ);
    }

    private void finish(int code, String reason) {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
      }
      try {
        channel.close();
      } catch (IOException e) {
        // closed either way
      }
      closed.complete(null);
      listener.onClose(this, code, reason);
    }

    private void failed(Throwable error) {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
      }
      try {
        if (channel != null) {
          channel.close();
        }
      } catch (IOException e) {
        // closed either way
      }
      closed.complete(null);
      listener.onError(this, error);
    }

    private static int indexOf(ByteBuffer buffer, byte[] pattern) {
      for (int i = buffer.position(); i + pattern.length <= buffer.limit(); i++) {
        int j = 0;
        while (j < pattern.length && buffer.get(i + j) == pattern[j]) {
          j++;
        }
        if (j == pattern.length) {
          return i - buffer.position();
        }
      }
      return -1;
    }

    private static String accept(String key) {
      try {
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        byte[] digest = sha1.digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(digest);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-1 is part of every JDK", e);
      }
    }
  }
}
