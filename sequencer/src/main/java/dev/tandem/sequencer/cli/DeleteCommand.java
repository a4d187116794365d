package dev.tandem.sequencer.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tandem delete DOC}: deletes a document with its whole history. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Deletes a document, its checkpoints and its ops, for good (export it first to keep it)."
            + " On a running server (--server, an admin token) its sequencer deletes it after the"
            + " commit in flight and its subscribers get not_found (\"was deleted\").")
final class DeleteCommand extends DocumentCommand {
  @Parameters(paramLabel = "DOC", description = "the document id")
  String docId;

  DeleteCommand(Map<String, String> environment, Terminal terminal) {
    super(environment, terminal);
  }

  @Override
  public Integer call() {
    if (!withStore(store -> store.delete(docId))) {
      throw new CommandFailure("document '" + docId + "' does not exist");
    }
    out().println("deleted '" + docId + "'");
    return 0;
  }
}
