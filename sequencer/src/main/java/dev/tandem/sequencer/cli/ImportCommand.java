package dev.tandem.sequencer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.persistence.HistoryMismatchException;
import dev.tandem.persistence.HistoryVerifier;
import dev.tandem.sequencer.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem import FILE [--as DOC]}: stores a document from an export, with its authors, times
 * and hashes; refuses a file whose history does not verify, or an id that is taken (nothing is
 * stored then).
 */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Stores a document from a file that tandem export wrote, authors, times and hashes kept. Refuses (exit 1, nothing stored) a file that is malformed or cut short, whose history does not verify, or whose id is taken. Into a data directory that does not exist yet, it makes a new database.")
final class ImportCommand extends DocumentCommand {
  @Parameters(paramLabel = "FILE", description = "a file that tandem export wrote")
  Path file;

  @Option(names = "--as", paramLabel = "DOC", description = "store it under this id")
  String as;

  ImportCommand(Map<String, String> environment, Terminal terminal) {
    super(environment, terminal);
  }

  @Override
  public Integer call() {
    if (!Files.isRegularFile(file)) {
      throw new CommandFailure("no file " + file);
    }
    HistoryVerifier.Summary summary;
    Progress progress = new Progress(terminal, err());
    try {
      summary = withStore(true, store -> store.importFile(file, as, progress));
    } catch (HistoryMismatchException e) {
      progress.done();
      throw new CommandFailure(
          file
              + " does not verify at revision "
              + e.firstBadRevision()
              + ": "
              + e.reason()
              + " (nothing was imported)",
          e);
    } catch (IllegalArgumentException e) { // a malformed file (ArchiveFormatException), a bad id
      progress.done();
      throw new CommandFailure(file + ": " + e.getMessage() + " (nothing was imported)", e);
    } catch (UncheckedIOException e) {
      throw new CommandFailure("cannot read " + file + ": " + e.getCause().getMessage(), e);
    }
    double seconds = progress.done();
    out()
        .printf(
            "imported '%s': revision %d, %d ops, %d checkpoints, chain verified (head hash %s)"
                + " %s%n",
            summary.docId(),
            summary.head(),
            summary.ops(),
            summary.checkpoints(),
            summary.headHash(),
            Progress.rate(summary.ops(), "ops", seconds));
    return 0;
  }

  /** The document id in an export file's first line. */
  static String documentOf(Path file) {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = in.readLine();
      JsonNode header = first == null ? null : Json.MAPPER.readTree(first);
      if (header == null || !header.path("doc").isTextual()) {
        throw new CommandFailure(file + ": line 1: not a Tandem export (no \"doc\")");
      }
      return header.path("doc").asText();
    } catch (IOException e) {
      throw new CommandFailure("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
