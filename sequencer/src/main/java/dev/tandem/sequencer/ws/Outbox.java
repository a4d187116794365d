package dev.tandem.sequencer.ws;

import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The bounded outbound queue of one socket. Frames leave in the order {@link #send} was called;
 * when more than {@code limit} frames wait for the network (a slow or stalled consumer), or a write
 * fails, the outbox refuses everything from then on and reports the overflow once, so the
 * connection is closed with 1013 instead of slowing anything upstream.
 */
final class Outbox {
  private final RemoteEndpoint.Async remote;
  private final int limit;
  private final Consumer<String> onOverflow;
  private int pending; // guarded by this
  private boolean broken; // guarded by this
  private List<CompletableFuture<Void>> halfEmptyWaiters = new ArrayList<>(); // guarded by this

  Outbox(RemoteEndpoint.Async remote, int limit, Consumer<String> onOverflow) {
    this.remote = remote;
    this.limit = limit;
    this.onOverflow = onOverflow;
  }

  /** Queues one text frame; never blocks. Returns false if the outbox has given up. */
  boolean send(String frame) {
    return send(handler -> remote.sendText(frame, handler));
  }

  /**
   * Queues one binary frame holding {@code payload}, which is shared and never changed (each socket
   * reads it through a buffer of its own); never blocks. Returns false if the outbox has given up.
   */
  boolean sendBinary(byte[] payload) {
    return send(handler -> remote.sendBinary(ByteBuffer.wrap(payload), handler));
  }

  private boolean send(Consumer<SendHandler> write) {
    synchronized (this) {
      if (broken) {
        return false;
      }
      if (pending >= limit) {
        broken = true;
      } else {
        pending++;
        try {
          // Under the lock so that frames reach the socket in the order of send calls.
          write.accept(result -> written(result.isOK()));
          return true;
        } catch (RuntimeException socketGone) {
          pending--;
          broken = true; // the socket closed under us; its onClose cleans up
          return false;
        }
      }
    }
    wakeWaiters();
    onOverflow.accept(limit + " frames waiting for a slow consumer");
    return false;
  }

  /**
   * Completes once at most half the limit of frames wait for the network, or the outbox gave up:
   * how a catch-up paces itself to the socket.
   */
  CompletionStage<Void> whenHalfEmpty() {
    synchronized (this) {
      if (!broken && pending > limit / 2) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        halfEmptyWaiters.add(ready);
        return ready;
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Stops sending; later frames are dropped. */
  void shutdown() {
    synchronized (this) {
      broken = true;
    }
    wakeWaiters();
  }

  synchronized int pending() {
    return pending;
  }

  private void written(boolean ok) {
    boolean report;
    synchronized (this) {
      pending--;
      report = !ok && !broken;
      if (!ok) {
        broken = true;
      }
    }
    wakeWaiters();
    if (report) {
      onOverflow.accept("write failed");
    }
  }

  /** Completes the waiters of {@link #whenHalfEmpty} that may go on, outside the lock. */
  private void wakeWaiters() {
    List<CompletableFuture<Void>> ready;
    synchronized (this) {
      if (halfEmptyWaiters.isEmpty() || (!broken && pending > limit / 2)) {
        return;
      }
      ready = halfEmptyWaiters;
      halfEmptyWaiters = new ArrayList<>();
    }
    ready.forEach(waiter -> waiter.complete(null));
  }
}
