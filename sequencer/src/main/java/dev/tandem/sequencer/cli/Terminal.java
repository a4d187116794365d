package dev.tandem.sequencer.cli;

/**
 * Whether the command's standard output and standard error are terminals: a person reading, who
 * gets a progress bar and a final newline, rather than a pipe or a file, which get the exact
 * output. {@code bin/tandem} tells (the shell's {@code [ -t 1 ]}, {@code [ -t 2 ]}); run without
 * it, the JVM's console stands for both.
 */
public record Terminal(boolean stdout, boolean stderr) {
  /** Neither is a terminal: a test, a pipe, a file. */
  public static final Terminal NONE = new Terminal(false, false);

  /** From the launcher's {@code -Dtandem.terminal=out,err}, else from {@link System#console()}. */
  public static Terminal detect() {
    String told = System.getProperty("tandem.terminal");
    if (told != null) {
      return new Terminal(told.contains("out"), told.contains("err"));
    }
    boolean console = System.console() != null;
    return new Terminal(console, console);
  }
}
