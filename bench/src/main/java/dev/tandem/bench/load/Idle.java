package dev.tandem.bench.load;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * idle: C open WebSockets, each with one of D documents open, doing nothing. The server's live heap
 * (after a full collection) and RSS are read before any socket, after one socket per document (D
 * sockets: the documents are loaded now) and after all C; the cost of a connection is the growth
 * from D to C sockets divided by C - D, so the documents' own memory is not counted in it.
 */
final class Idle {
  private Idle() {}

  static IdleResult run(Target target, LoadOptions options)
      throws IOException, InterruptedException {
    String loadBefore = Machine.loadAverage();
    int connections = options.connections();
    int documents = Math.min(options.documents(), connections);
    String prefix = "idle-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    Memory empty = Memory.of(target);
    try (Editors pool = new Editors(options.threads())) {
      long start = System.nanoTime();
      List<Editor> first =
          pool.open(
              target,
              0,
              documents,
              i -> Editor.Kind.EDITOR,
              i -> prefix + i,
              options.seed(),
              new Editor.Observer() {});
      Memory oneEach = Memory.of(target);
      List<Editor> rest =
          pool.open(
              target,
              documents,
              connections - documents,
              i -> Editor.Kind.EDITOR,
              i -> prefix + (i % documents),
              options.seed(),
              new Editor.Observer() {});
      double openSeconds = (System.nanoTime() - start) / 1e9;
      Memory all = Memory.of(target);
      String failure = firstFailure(first, rest);
      return new IdleResult(
          "idle",
          connections,
          documents,
          openSeconds,
          empty,
          oneEach,
          all,
          perConnection(oneEach.heapBytes(), all.heapBytes(), connections - documents),
          perConnection(oneEach.rssBytes(), all.rssBytes(), connections - documents),
          failure,
          Machine.since(loadBefore));
    }
  }

  /** The server's live heap after a full collection and its RSS, in bytes (null if unknown). */
  record Memory(Long heapBytes, Long rssBytes) {
    static Memory of(Target target) throws IOException, InterruptedException {
      Optional<Long> heap = target.heapUsedAfterGc();
      return new Memory(heap.orElse(null), target.usage().map(ProcessUsage::rssBytes).orElse(null));
    }
  }

  private static Long perConnection(Long before, Long after, int connections) {
    return before == null || after == null || connections <= 0
        ? null
        : (after - before) / connections;
  }

  private static String firstFailure(List<Editor> first, List<Editor> rest) {
    for (List<Editor> editors : List.of(first, rest)) {
      for (Editor editor : editors) {
        if (editor.failure() != null) {
          return editor.failure();
        }
      }
    }
    return null;
  }
}
