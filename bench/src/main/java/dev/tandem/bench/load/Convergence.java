package dev.tandem.bench.load;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end-of-run check: once every editor's op is acknowledged and every op delivered, each
 * editor's text must equal the server's text of its document, read over REST, at the same revision.
 */
record Convergence(boolean converged, int documents, long totalRevisions, String problem) {
  private static final long DEADLINE_NANOS = 120_000_000_000L;

  static Convergence check(Target target, List<Editor> editors)
      throws IOException, InterruptedException {
    for (Editor editor : editors) {
      editor.stopEditing();
      if (editor.failure() != null) {
        return new Convergence(false, 0, 0, editor.failure());
      }
    }
    Map<String, List<Editor>> byDocument = new LinkedHashMap<>();
    for (Editor editor : editors) {
      byDocument.computeIfAbsent(editor.docId(), d -> new java.util.ArrayList<>()).add(editor);
    }
    long deadline = System.nanoTime() + DEADLINE_NANOS;
    long totalRevisions = 0;
    for (Map.Entry<String, List<Editor>> document : byDocument.entrySet()) {
      Target.DocumentState server =
          settled(target, document.getKey(), document.getValue(), deadline);
      if (server == null) {
        StringBuilder states = new StringBuilder();
        for (Editor editor : document.getValue()) {
          states.append("; ").append(editor.describe());
        }
        return new Convergence(
            false,
            byDocument.size(),
            0,
            document.getKey()
                + ": editors did not reach the server's head ("
                + target.document(document.getKey()).revision()
                + ")"
                + states);
      }
      for (Editor editor : document.getValue()) {
        if (!editor.agreesWith(server.text())) {
          return new Convergence(
              false,
              byDocument.size(),
              0,
              document.getKey() + ": e" + editor.index() + "'s text differs from the server's");
        }
      }
      totalRevisions += server.revision();
    }
    return new Convergence(true, byDocument.size(), totalRevisions, null);
  }

  String describe() {
    return converged
        ? "yes: "
            + documents
            + " document(s), editors = server over REST, "
            + totalRevisions
            + " revisions"
        : "NO: " + problem;
  }

  /**
   * The server's state once every editor is idle and at the server's head; null at the deadline.
   */
  private static Target.DocumentState settled(
      Target target, String docId, List<Editor> editors, long deadline)
      throws IOException, InterruptedException {
    while (System.nanoTime() < deadline) {
      Target.DocumentState server = target.document(docId);
      boolean atHead = true;
      for (Editor editor : editors) {
        atHead &= editor.isIdle() && editor.revision() == server.revision();
      }
      if (atHead) {
        return server;
      }
      Thread.sleep(20);
    }
    return null;
  }
}
