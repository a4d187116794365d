package dev.tandem.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * recovery: the time from starting the server process to serving a document with a long history.
 *
 * <p>The history is made the honest way: through the server, by editors over WebSocket (the closed
 * loop of hot-doc), so the op log and the automatic checkpoints are exactly what a server writes.
 * Then the server is restarted several times, after a clean stop (SIGTERM) and after a crash
 * (SIGKILL of the JVM, whose embedded PostgreSQL the next start finds and stops); each start is
 * timed to the "listening" line, to a WebSocket {@code opened} of the document and to its text over
 * REST, which must equal the text before the restart.
 */
final class Recovery {
  static final String DOC_ID = "recovery";

  private Recovery() {}

  static RecoveryResult run(LoadOptions options) throws Exception {
    String loadBefore = Machine.loadAverage();
    boolean ownDataDir = options.dataDir() == null;
    Path dataDir = ownDataDir ? ServerProcess.freshDataDirectory() : options.dataDir();
    Files.createDirectories(dataDir);
    try {
      History history = makeHistory(options, dataDir);
      List<RecoveryResult.Restart> restarts = new ArrayList<>();
      for (int i = 0; i < options.restarts(); i++) {
        restarts.add(restart("after SIGTERM", options, dataDir, history, false));
      }
      ServerProcess.start(options.serverJar(), dataDir, options.serverJvmArgs()).kill();
      for (int i = 0; i < options.restarts(); i++) {
        restarts.add(restart("after SIGKILL", options, dataDir, history, true));
      }
      // Leaves no PostgreSQL behind: the last start stopped the killed one, this stop ends it.
      ServerProcess.start(options.serverJar(), dataDir, options.serverJvmArgs()).stop();
      return new RecoveryResult(
          "recovery",
          history.state().revision(),
          history.createdBy(),
          history.seconds(),
          restarts,
          Machine.since(loadBefore));
    } finally {
      if (ownDataDir) {
        ServerProcess.deleteRecursively(dataDir);
      }
    }
  }

  /** The document's history, as the server had it before the restarts. */
  private record History(Target.DocumentState state, String createdBy, Double seconds) {}

  private static History makeHistory(LoadOptions options, Path dataDir) throws Exception {
    try (ServerProcess server =
            ServerProcess.start(options.serverJar(), dataDir, options.serverJvmArgs());
        Target target = Target.running(server.webSocketUri(), server.pid());
        Editors pool = new Editors(options.threads())) {
      long existing = headOrZero(target);
      if (existing >= options.ops()) {
        return new History(target.document(DOC_ID), "reused from " + dataDir, null);
      }
      AtomicLong budget = new AtomicLong(options.ops() - existing);
      Editor.Observer untilBudgetSpent =
          new Editor.Observer() {
            @Override
            public void acked(Editor editor, long seq, long revision, long sent, long nanos) {
              if (budget.getAndDecrement() > 0) {
                editor.edit();
              }
            }
          };
      List<Editor> editors =
          pool.open(
              target,
              0,
              options.editors(),
              i -> Editor.Kind.EDITOR,
              i -> DOC_ID,
              options.seed(),
              untilBudgetSpent);
      long start = System.nanoTime();
      for (Editor editor : editors) {
        if (budget.getAndDecrement() > 0) {
          editor.edit();
        }
      }
      Convergence convergence = awaitHistory(target, editors, budget);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (!convergence.converged()) {
        throw new IllegalStateException("making the history failed: " + convergence.describe());
      }
      return new History(
          target.document(DOC_ID),
          "through the server: " + options.editors() + " editors over WebSocket",
          seconds);
    }
  }

  /** Waits until every op is acked, printing progress to stderr every 10 s. */
  private static Convergence awaitHistory(Target target, List<Editor> editors, AtomicLong budget)
      throws IOException, InterruptedException {
    long lastReport = System.nanoTime();
    while (budget.get() > 0 || !editors.stream().allMatch(Editor::isIdle)) {
      for (Editor editor : editors) {
        if (editor.failure() != null) {
          throw new IllegalStateException(editor.failure());
        }
      }
      if (System.nanoTime() - lastReport > 10_000_000_000L) {
        System.err.println("recovery: " + Math.max(0, budget.get()) + " ops still to make");
        lastReport = System.nanoTime();
      }
      Thread.sleep(50);
    }
    return Convergence.check(target, editors);
  }

  private static long headOrZero(Target target) throws InterruptedException {
    try {
      return target.document(DOC_ID).revision();
    } catch (IOException notThereYet) {
      return 0;
    }
  }

  private static RecoveryResult.Restart restart(
      String kind, LoadOptions options, Path dataDir, History history, boolean killAfter)
      throws Exception {
    ServerProcess server =
        ServerProcess.start(options.serverJar(), dataDir, options.serverJvmArgs());
    try (Target target = Target.running(server.webSocketUri(), server.pid());
        Editors pool = new Editors(options.threads())) {
      Editor editor =
          pool.open(
                  target,
                  0,
                  1,
                  i -> Editor.Kind.EDITOR,
                  i -> DOC_ID,
                  options.seed(),
                  new Editor.Observer() {})
              .get(0);
      double toWebSocket = (System.nanoTime() - server.startNanos()) / 1e9;
      Target.DocumentState state = target.document(DOC_ID);
      double toRest = (System.nanoTime() - server.startNanos()) / 1e9;
      boolean same =
          state.revision() == history.state().revision()
              && editor.revision() == state.revision()
              && state.text().equals(history.state().text())
              && editor.text().equals(state.text());
      return new RecoveryResult.Restart(
          kind, server.secondsToListening(), toWebSocket, toRest, state.revision(), same);
    } finally {
      if (killAfter) {
        server.kill();
      } else {
        server.stop();
      }
    }
  }
}
