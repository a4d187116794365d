package dev.tandem.sequencer.ws;

import jakarta.websocket.RemoteEndpoint;
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

  Outbox(RemoteEndpoint.Async remote, int limit, Consumer<String> onOverflow) {
    this.remote = remote;
    this.limit = limit;
    this.onOverflow = onOverflow;
  }

  /** Queues one text frame; never blocks. Returns false if the outbox has given up. */
  boolean send(String frame) {
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
          remote.sendText(frame, result -> written(result.isOK()));
          return true;
        } catch (RuntimeException socketGone) {
          pending--;
          broken = true; // the socket closed under us; its onClose cleans up
          return false;
        }
      }
    }
    onOverflow.accept(limit + " frames waiting for a slow consumer");
    return false;
  }

  /** Stops sending; later frames are dropped. */
  synchronized void shutdown() {
    broken = true;
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
    if (report) {
      onOverflow.accept("write failed");
    }
  }
}
