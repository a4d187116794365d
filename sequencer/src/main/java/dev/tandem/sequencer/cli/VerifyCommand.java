package dev.tandem.sequencer.cli;

import dev.tandem.persistence.DocumentSummary;
import dev.tandem.persistence.HistoryMismatchException;
import dev.tandem.persistence.HistoryVerifier;
import dev.tandem.sequencer.archive.ArchiveFormatException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem verify DOC…|--all}: replays each document's history from its first checkpoint and
 * checks every checkpoint's SHA-256, every op's chained hash and the head's; exit status 1 and the
 * first bad revision of every document that does not verify.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Checks documents' histories: replays each from its first checkpoint, checks "
            + "every checkpoint's SHA-256 and the hash chain of every op. Against --server the "
            + "history is exported and checked here, not by the server.",
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {
      "0:every document verifies",
      "1:a document does not verify (its first bad revision is printed) or cannot be read",
      "2:bad arguments"
    })
final class VerifyCommand extends DocumentCommand {
  @Parameters(paramLabel = "DOC", arity = "0..*", description = "the documents to verify")
  List<String> docIds = new ArrayList<>();

  @Option(names = "--all", description = "every document")
  boolean all;

  VerifyCommand(Map<String, String> environment, Terminal terminal) {
    super(environment, terminal);
  }

  @Override
  public Integer call() {
    if (all == !docIds.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give the documents to verify, or --all (not both)");
    }
    return withStore(
        store -> {
          int bad = 0;
          int checked = 0;
          long ops = 0;
          long startNanos = System.nanoTime();
          for (String docId : all ? allDocuments(store) : docIds) {
            checked++;
            HistoryVerifier verifier = new HistoryVerifier();
            Progress progress = new Progress(terminal, err());
            try {
              store.export(docId, new Tee(verifier, progress));
              progress.done();
              HistoryVerifier.Summary summary = verifier.summary();
              ops += summary.ops();
              out()
                  .printf(
                      "%s: ok (revision %d, %d ops, %d checkpoints, head hash %s)%n",
                      docId,
                      summary.head(),
                      summary.ops(),
                      summary.checkpoints(),
                      summary.headHash());
            } catch (HistoryMismatchException e) {
              progress.done();
              bad++;
              out()
                  .printf(
                      "%s: FAILED at revision %d: %s%n", docId, e.firstBadRevision(), e.reason());
            } catch (ArchiveFormatException | CommandFailure e) {
              progress.done();
              bad++;
              out().printf("%s: FAILED: %s%n", docId, e.getMessage());
            }
          }
          double seconds = (System.nanoTime() - startNanos) / 1e9;
          err()
              .printf(
                  "%d of %d documents verify (%d ops %s)%n",
                  checked - bad, checked, ops, Progress.rate(ops, "ops", seconds));
          return bad == 0 ? 0 : CommandFailure.EXIT_STATUS;
        });
  }

  private static List<String> allDocuments(Store store) {
    List<String> ids = new ArrayList<>();
    String after = null;
    while (true) {
      List<DocumentSummary> page = store.list(after, 1000);
      page.forEach(doc -> ids.add(doc.docId()));
      if (page.size() < 1000) {
        return ids;
      }
      after = page.get(page.size() - 1).docId();
    }
  }
}
