package dev.tandem.sequencer;

import dev.tandem.sequencer.cli.TandemCommand;
import dev.tandem.sequencer.cli.Terminal;
import dev.tandem.sequencer.config.Logging;
import java.io.PrintWriter;
import java.time.Clock;
import org.slf4j.event.Level;

/**
 * The {@code tandem} command's entry point ({@code bin/tandem}): {@link TandemCommand} with {@code
 * serve}, which runs this server.
 */
public final class Tandem {
  private Tandem() {}

  public static void main(String[] args) {
    if (args.length == 0 || !args[0].equals("serve")) {
      // A command's output is its answer: only warnings and errors go to the log.
      Logging.configure(Level.WARN, Logging.Format.TEXT);
    }
    System.exit(
        TandemCommand.run(
            args,
            System.getenv(),
            Clock.systemUTC(),
            ServeCommand.commandLine(System.getenv()),
            Terminal.detect(),
            new PrintWriter(System.out, true),
            new PrintWriter(System.err, true)));
  }
}
