package dev.tandem.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The editors of one run: their sockets share a few selector threads ({@link LeanSockets}), so the
 * generator does not take the server's cores away with threads of its own.
 */
final class Editors implements AutoCloseable {
  /**
   * Connections being opened at once: enough to be quick, few enough not to flood the accept queue.
   */
  private static final int OPENING_AT_ONCE = 64;

  private final LeanSockets sockets;
  private final List<Editor> editors = new ArrayList<>();

  /** {@code threads}: selector threads. */
  Editors(int threads) throws IOException {
    this.sockets = new LeanSockets(threads);
  }

  /**
   * Opens {@code count} editors with the indexes {@code first, first + 1, ...}, editor {@code i} of
   * kind {@code kindOf.apply(i)} on document {@code docOf.apply(i)}, and returns them once all are
   * open.
   */
  List<Editor> open(
      Target target,
      int first,
      int count,
      IntFunction<Editor.Kind> kindOf,
      IntFunction<String> docOf,
      long seed,
      Editor.Observer observer)
      throws InterruptedException {
    Semaphore slots = new Semaphore(OPENING_AT_ONCE);
    List<CompletableFuture<Editor>> opening = new ArrayList<>(count);
    for (int i = first; i < first + count; i++) {
      slots.acquire();
      CompletableFuture<Editor> editor =
          Editor.open(
              sockets,
              target.webSocketUri(),
              i,
              kindOf.apply(i),
              docOf.apply(i),
              seed * 1_000_003 + i,
              observer);
      editor.whenComplete((e, error) -> slots.release());
      opening.add(editor);
    }
    List<Editor> opened = new ArrayList<>(count);
    for (CompletableFuture<Editor> editor : opening) {
      opened.add(editor.join());
    }
    synchronized (editors) {
      editors.addAll(opened);
    }
    return opened;
  }

  /** Closes every socket, waiting a little for the close frames to go out. */
  @Override
  public void close() {
    List<CompletableFuture<?>> closing = new ArrayList<>();
    synchronized (editors) {
      for (Editor editor : editors) {
        closing.add(editor.close());
      }
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Sockets that did not close in time are closed with their selector.
    }
    sockets.close();
  }
}
