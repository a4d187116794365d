package dev.tandem.sequencer.archive;

/** An export file that is not one: malformed, of another format, or cut short. */
public final class ArchiveFormatException extends IllegalArgumentException {
  public ArchiveFormatException(long line, String problem) {
    super("line " + line + ": " + problem);
  }
}
