package dev.tandem.sequencer.cli;

import dev.tandem.persistence.DocumentSummary;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem docs}: the documents, a page at a time (or all), with their history's size. */
@Command(
    name = "docs",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Lists documents by id: head revision, ops, checkpoints, last change.")
final class DocsCommand extends DocumentCommand {
  @Option(names = "--after", paramLabel = "ID", description = "start after this id (the next page)")
  String after;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "100",
      description = "at most N documents (1 to 1000; default ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--all", description = "every document, page after page")
  boolean all;

  DocsCommand(Map<String, String> environment, Terminal terminal) {
    super(environment, terminal);
  }

  @Override
  public Integer call() {
    if (limit < 1 || limit > 1000) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--limit " + limit + " (expected: 1 to 1000)");
    }
    return withStore(
        store -> {
          out().printf("%-40s %10s %10s %11s  %s%n", "ID", "REV", "OPS", "CHECKPOINTS", "UPDATED");
          String from = after;
          while (true) {
            List<DocumentSummary> page = store.list(from, limit);
            for (DocumentSummary doc : page) {
              out()
                  .printf(
                      "%-40s %10d %10d %11d  %s%n",
                      doc.docId(),
                      doc.headRevision(),
                      doc.ops(),
                      doc.checkpoints(),
                      doc.updatedAt());
            }
            if (page.size() < limit) {
              return 0;
            }
            from = page.get(page.size() - 1).docId();
            if (!all) {
              err().println("more: --after '" + from + "' (or --all)");
              return 0;
            }
          }
        });
  }
}
