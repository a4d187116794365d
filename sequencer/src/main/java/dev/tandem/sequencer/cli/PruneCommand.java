package dev.tandem.sequencer.cli;

import dev.tandem.persistence.Archive;
import java.util.Map;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tandem prune DOC [--before REV]}: drops a document's history before a checkpoint. */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Deletes a document's ops up to revision REV and its checkpoints below it, keeping a checkpoint at REV (written if missing), its text, head and hash chain; revisions below REV are gone for good (export first to keep them). Clients that were offline below REV resynchronise from the head and keep their unsent edits. Admin on a server.")
final class PruneCommand extends DocumentCommand {
  @Parameters(paramLabel = "DOC", description = "the document id")
  String docId;

  @Option(
      names = "--before",
      paramLabel = "REV",
      description = "prune before revision REV (default: the latest checkpoint)")
  Long before;

  PruneCommand(Map<String, String> environment, Terminal terminal) {
    super(environment, terminal);
  }

  @Override
  public Integer call() {
    Archive.PruneSummary summary =
        withStore(
            store ->
                store.prune(
                    docId, before == null ? OptionalLong.empty() : OptionalLong.of(before)));
    out()
        .printf(
            "pruned '%s': history starts at revision %d; %d ops and %d checkpoints removed%n",
            docId, summary.start(), summary.opsRemoved(), summary.checkpointsRemoved());
    return 0;
  }
}
