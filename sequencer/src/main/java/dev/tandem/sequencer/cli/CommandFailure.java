package dev.tandem.sequencer.cli;

/**
 * Why a {@code tandem} command could not do its work, as the user should read it; the command
 * prints it and exits with {@link #EXIT_STATUS}. Bad arguments exit with 2, through picocli.
 */
final class CommandFailure extends RuntimeException {
  static final int EXIT_STATUS = 1;

  CommandFailure(String message) {
    super(message);
  }

  CommandFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
