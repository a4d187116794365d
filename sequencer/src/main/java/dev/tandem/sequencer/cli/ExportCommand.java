package dev.tandem.sequencer.cli;

import dev.tandem.persistence.HistoryMismatchException;
import dev.tandem.persistence.HistoryVerifier;
import dev.tandem.sequencer.archive.ArchiveFormatException;
import dev.tandem.sequencer.archive.ArchiveWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem export DOC -o FILE}: the document's whole history (its checkpoints and every op
 * with revision, client, seq, user, time and hash), verified on the way; the file appears only
 * whole.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Writes a document's whole history to a file (JSON Lines; see docs/cli.md): its checkpoints and every op with revision, client, seq, user, time and hash. The history is verified as it is written; a history that does not verify is not exported (exit 1).")
final class ExportCommand extends DocumentCommand {
  @Parameters(paramLabel = "DOC", description = "the document id")
  String docId;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      required = true,
      description = "the file to write (- for standard output)")
  String output;

  ExportCommand(Map<String, String> environment, Terminal terminal) {
    super(environment, terminal);
  }

  @Override
  public Integer call() {
    HistoryVerifier verifier = new HistoryVerifier();
    Progress progress = new Progress(terminal, err());
    if (output.equals("-")) {
      Writer writer = new BufferedWriter(out(), 65536);
      run(verifier, progress, writer);
    } else {
      Path file = Path.of(output).toAbsolutePath();
      Path partial = file.resolveSibling(file.getFileName() + ".partial");
      try {
        try (Writer writer =
            new BufferedWriter(
                new OutputStreamWriter(Files.newOutputStream(partial), StandardCharsets.UTF_8),
                65536)) {
          run(verifier, progress, writer);
        }
        Files.move(
            partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new CommandFailure("cannot write " + file + ": " + e.getMessage(), e);
      } finally {
        try {
          Files.deleteIfExists(partial);
        } catch (IOException ignored) {
          // best effort: the partial file says what it is
        }
      }
    }
    HistoryVerifier.Summary summary = verifier.summary();
    double seconds = progress.done();
    err()
        .printf(
            "exported '%s': revision %d, %d ops, %d checkpoints, head hash %s %s%n",
            docId,
            summary.head(),
            summary.ops(),
            summary.checkpoints(),
            summary.headHash(),
            Progress.rate(summary.ops(), "ops", seconds));
    return 0;
  }

  private void run(HistoryVerifier verifier, Progress progress, Writer writer) {
    try {
      withStore(
          store -> {
            store.export(docId, new Tee(verifier, new Tee(new ArchiveWriter(writer), progress)));
            return null;
          });
    } catch (HistoryMismatchException e) {
      progress.done();
      throw new CommandFailure(e.getMessage() + " (not exported; see tandem verify)", e);
    } catch (ArchiveFormatException e) {
      throw new CommandFailure("the server's export is malformed: " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new CommandFailure("cannot write " + output + ": " + e.getCause().getMessage(), e);
    }
  }
}
