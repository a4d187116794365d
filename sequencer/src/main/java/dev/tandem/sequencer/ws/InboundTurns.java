package dev.tandem.sequencer.ws;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles the sockets' messages on threads of its own, taking turns: one message of each socket
 * that has some waiting, round-robin, so a socket's message waits for at most one message of each
 * other socket, however many they sent.
 *
 * <p>Why: Tyrus hands over a socket's messages on the selector thread that reads it, which serves
 * many sockets, a read (up to 16 KiB, some 200 small messages) at a time. Handling them there
 * (parse, check, hand off, answer) made an honest editor's message wait for every message of every
 * flooding socket read before it: under ten flooders, seconds for its first ack. Now the selector
 * thread only takes the message off the frame and queues it here, which costs little.
 *
 * <p>A quiet socket's message is handled at once on the thread that read it ({@link
 * Socket#handleOrOffer}), sparing a hand-off and a wake-up: an editor with one op in flight sends
 * one message per round trip, a flood hundreds per read, microseconds apart, and all but the first
 * of them wait for their turns.
 *
 * <p>A socket's messages are handled in the order they arrived, one at a time, as Tyrus hands them
 * over. What waits per socket is bounded, in messages ({@link #MAX_WAITING_MESSAGES}: an honest
 * client has far fewer unanswered) and in bytes (each message counts at least {@link
 * #MESSAGE_OVERHEAD}): a message beyond either bound is not queued, and its socket is to be closed
 * as a flood; a socket with nothing waiting always queues its message.
 */
final class InboundTurns implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InboundTurns.class);

  /** What a waiting message counts at least, for the memory its entry takes. */
  static final int MESSAGE_OVERHEAD = 64;

  /**
   * Messages that may wait per socket: a flood reaches it within a few reads, and is closed before
   * the server decodes much more of it.
   */
  static final int MAX_WAITING_MESSAGES = 1024;

  /**
   * How long after a socket's last message handled at once its next may be too: messages of one
   * read come microseconds apart, an editor's submits a round trip (a millisecond or more).
   */
  static final long QUIET_NANOS = 200_000;

  private final long boundPerSocket;
  private final ExecutorService threads;

  /** The sockets whose turn comes, in order; one {@link #turn} task is queued per entry. */
  private final ConcurrentLinkedQueue<Socket> turns = new ConcurrentLinkedQueue<>();

  /**
   * @param threads threads that handle messages
   * @param boundPerSocket bytes of messages that may wait per socket
   */
  InboundTurns(int threads, long boundPerSocket) {
    this.boundPerSocket = boundPerSocket;
    AtomicInteger count = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            threads,
            runnable -> {
              Thread thread = new Thread(runnable, "tandem-inbound-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** The waiting messages of one socket, handled in order. */
  final class Socket {
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>(); // guarded by this
    private final ArrayDeque<Long> sizes = new ArrayDeque<>(); // guarded by this
    private long bytes; // guarded by this
    private boolean hasTurn; // guarded by this: queued in turns, or being handled
    private long handledAtOnceNanos = System.nanoTime() - QUIET_NANOS; // guarded by this

    /**
     * Handles {@code handle} now, on the calling thread, if this socket is quiet: nothing of it
     * waiting or being handled, and its last message handled at once at least {@link #QUIET_NANOS}
     * before {@code now}. Otherwise as {@link #offer}.
     */
    boolean handleOrOffer(long size, Runnable handle, long now) {
      if (!takeQuietTurn(now)) {
        return offer(size, handle);
      }
      run(handle);
      if (done()) {
        takeTurn(this);
      }
      return true;
    }

    /** Takes the turn for a message handled at once, if this socket is quiet at {@code now}. */
    private synchronized boolean takeQuietTurn(long now) {
      if (hasTurn || now - handledAtOnceNanos < QUIET_NANOS) {
        return false; // hasTurn is false when nothing waits
      }
      hasTurn = true; // until done(): a message read meanwhile queues behind this one
      handledAtOnceNanos = now;
      return true;
    }

    /**
     * Queues {@code handle}, a message of {@code size} bytes, for its turn; false (nothing queued)
     * if this socket's waiting messages would exceed a bound.
     */
    boolean offer(long size, Runnable handle) {
      long counted = Math.max(size, MESSAGE_OVERHEAD);
      synchronized (this) {
        if (!waiting.isEmpty()
            && (bytes + counted > boundPerSocket || waiting.size() >= MAX_WAITING_MESSAGES)) {
          return false;
        }
        waiting.addLast(handle);
        sizes.addLast(counted);
        bytes += counted;
        if (hasTurn) {
          return true; // it comes after the one queued or being handled
        }
        hasTurn = true;
      }
      takeTurn(this);
      return true;
    }

    /** The next message, taken off the queue; this socket keeps its turn until {@link #done}. */
    private synchronized Runnable next() {
      bytes -= sizes.removeFirst();
      return waiting.removeFirst();
    }

    /** Whether more messages wait: then it takes another turn, at the back. */
    private synchronized boolean done() {
      hasTurn = !waiting.isEmpty();
      return hasTurn;
    }
  }

  Socket socket() {
    return new Socket();
  }

  private void takeTurn(Socket socket) {
    turns.add(socket);
    try {
      threads.execute(this::turn);
    } catch (RejectedExecutionException stopped) {
      // the server is stopping: its sockets are being closed, their messages need no answer
    }
  }

  /** One message of the socket whose turn it is; the socket goes to the back if more wait. */
  private void turn() {
    Socket socket = turns.poll(); // never null: a turn is queued after its socket
    run(socket.next());
    if (socket.done()) {
      takeTurn(socket);
    }
  }

  private static void run(Runnable handle) {
    try {
      handle.run();
    } catch (RuntimeException | Error e) { // a bug: the socket's next message is still handled
      log.error("handling a message failed", e);
    }
  }

  /** Stops the threads; messages still waiting are dropped (their sockets are closing). */
  @Override
  public void close() {
    threads.shutdownNow();
  }
}
