package dev.tandem.bench.load;

import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** The workloads in which editors edit: hot-doc, many-docs and typists. */
final class EditingWorkloads {
  private EditingWorkloads() {}

  /** N editors on one document, each with one op in flight, as fast as the server acks. */
  static ClosedLoopResult hotDoc(Target target, LoadOptions options)
      throws IOException, InterruptedException {
    return closedLoop("hot-doc", target, options, 1, options.editors());
  }

  /** D documents with 2 editors each, each editor with one op in flight. */
  static ClosedLoopResult manyDocs(Target target, LoadOptions options)
      throws IOException, InterruptedException {
    return closedLoop("many-docs", target, options, options.documents(), 2);
  }

  private static ClosedLoopResult closedLoop(
      String workload, Target target, LoadOptions options, int documents, int editorsPerDocument)
      throws IOException, InterruptedException {
    String loadBefore = Machine.loadAverage();
    String prefix = workload + "-" + Long.toString(System.currentTimeMillis(), 36) + "-";
    EditingRun run = new EditingRun(documents * editorsPerDocument, editorsPerDocument - 1, true);
    try (Editors pool = new Editors(options.threads())) {
      List<Editor> editors =
          pool.open(
              target,
              0,
              documents * editorsPerDocument,
              i -> Editor.Kind.EDITOR,
              i -> prefix + (i % documents),
              options.seed(),
              run);
      EditingRun.Window window = run.run(editors, target, options);
      Convergence convergence = Convergence.check(target, editors);
      return new ClosedLoopResult(
          workload,
          documents,
          editorsPerDocument,
          run.warmedUpSeconds(),
          window,
          run.broadcastLatency(),
          convergence,
          Machine.since(loadBefore));
    }
  }

  /**
   * N editors on one document, each typing {@code rate} keystrokes per second at evenly spaced
   * times (their phases spread at random); keystrokes due while the editor's op is in flight are
   * buffered and sent as one op at its ack.
   */
  static TypistsResult typists(Target target, LoadOptions options)
      throws IOException, InterruptedException {
    String loadBefore = Machine.loadAverage();
    String docId = "typists-" + Long.toString(System.currentTimeMillis(), 36);
    int count = options.editors();
    EditingRun run = new EditingRun(count, count - 1, false);
    ScheduledExecutorService clock =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "load-typists-clock");
              thread.setDaemon(true);
              return thread;
            });
    try (Editors pool = new Editors(options.threads())) {
      // A few typists keep the text, for the convergence check; the others only count revisions.
      IntFunction<Editor.Kind> kinds =
          i -> i < options.fullTypists() ? Editor.Kind.TYPIST : Editor.Kind.LIGHT_TYPIST;
      List<Editor> editors = pool.open(target, 0, count, kinds, i -> docId, options.seed(), run);
      long periodMicros = Math.round(1_000_000 / options.rate());
      Random phases = new Random(options.seed());
      for (Editor editor : editors) {
        clock.scheduleAtFixedRate(
            () -> run.tick(editor),
            (long) (phases.nextDouble() * periodMicros),
            periodMicros,
            TimeUnit.MICROSECONDS);
      }
      EditingRun.Window window = run.run(editors, target, options);
      clock.shutdownNow();
      Convergence convergence = Convergence.check(target, editors);
      return new TypistsResult(
          "typists",
          count,
          options.rate(),
          run.warmedUpSeconds(),
          window,
          run.broadcastLatency(),
          convergence,
          Machine.since(loadBefore));
    } finally {
      clock.shutdownNow();
    }
  }
}
