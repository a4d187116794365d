package dev.tandem.sequencer.ws;

import dev.tandem.sequencer.protocol.Json;
import dev.tandem.sequencer.server.OutboundBudget;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The bounded outbound queue of one socket. Frames leave in the order {@link #send} was called.
 * Bytes are what is bounded: those waiting for this socket ({@code outbound-socket-bytes}; a single
 * larger frame may wait alone, so a document of any allowed size can be opened) and those waiting
 * for all sockets and streams ({@link OutboundBudget}). A socket over its bound, one that is behind
 * while the total bound is reached, one with more than {@code frameLimit} frames waiting, or one
 * whose write failed, gets nothing more: the outbox drops what waits, releases its bytes and
 * reports the overflow once, so the connection is closed with 1013 instead of slowing anything
 * upstream.
 *
 * <p>The frames wait here, not in the transport: at most {@link #IN_FLIGHT_BYTES} (or one frame)
 * are handed to the {@link SocketWriter} at a time, the next when it reports one written. So what a
 * stalled socket holds after it is given up is at most that, not its whole backlog in Grizzly's
 * write queue. Frames handed over stay counted until the writer reports them written or failed, or
 * the socket is closed ({@link #terminate}).
 */
final class Outbox {
  /**
   * What {@code onOverflow} is told when a write failed (the socket is gone, nothing overflowed).
   */
  static final String WRITE_FAILED = "write failed";

  /** Bytes handed to the transport at a time, beyond the first frame. */
  static final long IN_FLIGHT_BYTES = 64 * 1024;

  /**
   * One frame to send, with the bytes it is charged. A text frame is charged its UTF-8 length, what
   * it is encoded to. A binary {@code ops} frame is encoded once and shared by every socket that
   * receives it, yet each socket is charged its payload's whole length: a socket's bound must not
   * depend on how many others share its frames (and through Tyrus, each socket gets a copy). So the
   * sum counts a shared frame once per socket while it waits here: more than the heap holds, never
   * less.
   */
  sealed interface Frame {
    long bytes();

    /** The whole frame as the socket gets it, header included. */
    byte[] wire() throws CharacterCodingException;

    static Frame text(String text) {
      return new Text(text, Json.utf8Length(text));
    }

    static Frame binary(byte[] payload) {
      return new Binary(SocketWriter.binaryFrame(payload), payload.length);
    }
  }

  record Text(String text, long bytes) implements Frame {
    @Override
    public byte[] wire() throws CharacterCodingException {
      return SocketWriter.textFrame(text);
    }
  }

  /**
   * A whole binary frame whose payload is its last {@code bytes}. Shared and never changed: each
   * socket reads it through its own buffer.
   */
  record Binary(byte[] wire, long bytes) implements Frame {
    ByteBuffer payload() {
      return ByteBuffer.wrap(wire, wire.length - (int) bytes, (int) bytes);
    }
  }

  private final SocketWriter writer;
  private final int frameLimit;
  private final long byteLimit;
  private final OutboundBudget budget;
  private final Consumer<String> onOverflow;
  private final ArrayDeque<Frame> waiting = new ArrayDeque<>(); // not yet handed to the writer
  // Held while a frame is handed to the writer (taken before this, never inside it).
  private final Object handOver = new Object();
  // All guarded by this. frames and bytes count what waits and what is in flight.
  private int frames;
  private long bytes; // reserved in the budget, unless terminated
  private int inFlight;
  private long inFlightBytes;
  private boolean pumping; // one thread at a time hands frames over, in order
  private boolean broken;
  private boolean terminated;
  private List<CompletableFuture<Void>> halfEmptyWaiters = new ArrayList<>();

  Outbox(
      SocketWriter writer,
      int frameLimit,
      long byteLimit,
      OutboundBudget budget,
      Consumer<String> onOverflow) {
    this.writer = writer;
    this.frameLimit = frameLimit;
    this.byteLimit = byteLimit;
    this.budget = budget;
    this.onOverflow = onOverflow;
  }

  /** Queues one text frame; never blocks. Returns false if the outbox has given up. */
  boolean send(String text) {
    return send(Frame.text(text));
  }

  /** Queues one frame; never blocks. Returns false if the outbox has given up. */
  boolean send(Frame frame) {
    String overflow;
    synchronized (this) {
      if (broken) {
        return false;
      }
      overflow = refusal(frame);
      if (overflow == null) {
        waiting.addLast(frame);
        frames++;
        bytes += frame.bytes();
      } else {
        giveUp();
      }
    }
    if (overflow != null) {
      wakeWaiters();
      onOverflow.accept(overflow);
      return false;
    }
    pump();
    return true;
  }

  /**
   * Completes once at most half the frame limit and half the byte limit wait for the network, or
   * the outbox gave up: how a catch-up paces itself to the socket.
   */
  CompletionStage<Void> whenHalfEmpty() {
    synchronized (this) {
      if (!broken && overHalf()) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        halfEmptyWaiters.add(ready);
        return ready;
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Whether more than half of either limit waits (a catch-up should pause). */
  synchronized boolean isOverHalf() {
    return !broken && overHalf();
  }

  /**
   * Stops sending: what waits is dropped and released; frames in flight finish or fail. Returns
   * once no frame is being handed over, so that a close frame written next comes after every frame
   * this outbox wrote.
   */
  void shutdown() {
    synchronized (this) {
      giveUp();
    }
    synchronized (handOver) {
      // a frame taken before giveUp is now with the transport
    }
    wakeWaiters();
  }

  /** The socket is closed: everything still counted, in flight or not, is released. */
  void terminate() {
    synchronized (this) {
      giveUp();
      if (!terminated) {
        terminated = true;
        budget.release(bytes);
      }
    }
    wakeWaiters();
  }

  /** Bytes waiting for this socket, in flight or not. */
  synchronized long bytes() {
    return bytes;
  }

  /** Why {@code frame} cannot be queued, or null if it can; reserves its bytes if it can. */
  private String refusal(Frame frame) {
    if (frames >= frameLimit) {
      return frames + " frames wait for a slow consumer";
    }
    if (bytes > 0 && bytes + frame.bytes() > byteLimit) {
      return bytes + " bytes wait for a slow consumer (limit " + byteLimit + ")";
    }
    if (!budget.tryReserve(frame.bytes())) {
      if (bytes > OutboundBudget.KEEPING_UP_BYTES) {
        return "the server's outbound memory is full and " + bytes + " bytes wait for this socket";
      }
      budget.reserve(frame.bytes()); // it keeps up: the frame goes out soon
    }
    return null;
  }

  /** Drops what waits and releases its bytes; frames in flight stay counted until they end. */
  private void giveUp() {
    broken = true;
    long dropped = 0;
    for (Frame frame : waiting) {
      dropped += frame.bytes();
    }
    frames -= waiting.size();
    waiting.clear();
    bytes -= dropped;
    if (!terminated) {
      budget.release(dropped);
    }
  }

  /** Hands waiting frames to the writer, in order, while few enough are in flight. */
  private void pump() {
    synchronized (this) {
      if (pumping) {
        return; // that thread hands this frame over too
      }
      pumping = true;
    }
    while (true) {
      synchronized (handOver) {
        Frame next;
        synchronized (this) {
          if (broken
              || waiting.isEmpty()
              || (inFlight > 0 && inFlightBytes + waiting.peekFirst().bytes() > IN_FLIGHT_BYTES)) {
            pumping = false;
            return;
          }
          next = waiting.removeFirst();
          inFlight++;
          inFlightBytes += next.bytes();
        }
        try {
          writer.write(next, ok -> written(next, ok));
        } catch (RuntimeException | Error failed) {
          // Closed under us (its onClose cleans up), or a frame that cannot be encoded (an Error
          // from Tyrus): the outbox gives up and reports it, so the socket is closed rather than
          // left silent.
          written(next, false);
        }
      }
    }
  }

  private void written(Frame frame, boolean ok) {
    boolean report;
    synchronized (this) {
      inFlight--;
      inFlightBytes -= frame.bytes();
      frames--;
      bytes -= frame.bytes();
      if (!terminated) {
        budget.release(frame.bytes());
      }
      report = !ok && !broken;
      if (!ok) {
        giveUp();
      }
    }
    wakeWaiters();
    if (report) {
      onOverflow.accept(WRITE_FAILED);
    } else if (ok) {
      pump();
    }
  }

  private boolean overHalf() {
    return frames > frameLimit / 2 || bytes > byteLimit / 2;
  }

  /** Completes the waiters of {@link #whenHalfEmpty} that may go on, outside the lock. */
  private void wakeWaiters() {
    List<CompletableFuture<Void>> ready;
    synchronized (this) {
      if (halfEmptyWaiters.isEmpty() || (!broken && overHalf())) {
        return;
      }
      ready = halfEmptyWaiters;
      halfEmptyWaiters = new ArrayList<>();
    }
    ready.forEach(waiter -> waiter.complete(null));
  }
}
