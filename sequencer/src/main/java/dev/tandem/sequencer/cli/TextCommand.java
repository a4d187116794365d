package dev.tandem.sequencer.cli;

import dev.tandem.persistence.DocumentSnapshot;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.OptionalLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tandem text DOC}: the text at the head, at a revision or at a point in time. */
@Command(
    name = "text",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Prints a document's text. Into a pipe or a file it is exact, as cat prints a file; on a"
            + " terminal a newline is added if the text does not end with one, so that the prompt"
            + " starts on its own line (--raw: exact there too).")
final class TextCommand extends DocumentCommand {
  @Parameters(paramLabel = "DOC", description = "the document id")
  String docId;

  @Option(names = "--rev", paramLabel = "N", description = "at revision N (default: the head)")
  Long rev;

  @Option(
      names = "--at",
      paramLabel = "TIME",
      converter = TimeConverter.class,
      description = "at a point in time, ISO-8601 with an offset: 2026-11-30T12:00Z")
  Instant at;

  @Option(names = "--raw", description = "no newline added, even on a terminal")
  boolean raw;

  TextCommand(Map<String, String> environment, Terminal terminal) {
    super(environment, terminal);
  }

  @Override
  public Integer call() {
    if (rev != null && at != null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give --rev or --at, not both");
    }
    DocumentSnapshot snapshot =
        withStore(
            store -> {
              OptionalLong revision =
                  at != null
                      ? OptionalLong.of(store.revisionAt(docId, at))
                      : rev != null ? OptionalLong.of(rev) : OptionalLong.empty();
              return store.text(docId, revision);
            });
    out().print(snapshot.text());
    if (terminal.stdout() && !raw && !snapshot.text().endsWith("\n")) {
      out().println();
    }
    out().flush();
    if (at != null || rev != null) {
      err().println("(revision " + snapshot.revision() + ")");
    }
    return 0;
  }

  /** {@code --at}: an ISO-8601 time with an offset; seconds may be left out. */
  static final class TimeConverter implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return OffsetDateTime.parse(value).toInstant();
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' (expected: an ISO-8601 time with an offset, e.g. 2026-11-30T12:00Z)");
      }
    }
  }
}
