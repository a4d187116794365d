package dev.tandem.sequencer.cli;

import dev.tandem.sequencer.config.ServerOptions;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tandem}: the one command of a Tandem installation ({@code bin/tandem} runs it through
 * {@code dev.tandem.sequencer.Tandem}, which adds {@code serve}). {@code serve} runs the server;
 * {@code token} mints a development token; the others work on documents, of a running server
 * ({@code --server URL}, through its REST API) or of a stopped server's database ({@code --data-dir
 * DIR}, {@code --database-url URL}). See docs/cli.md.
 */
@Command(
    name = "tandem",
    mixinStandardHelpOptions = true,
    version = "tandem 0.1.0-SNAPSHOT",
    description =
        "Tandem: real-time collaborative text editing with a central sequencer. Document "
            + "commands work on a running server (--server URL, with --token or $TANDEM_TOKEN) "
            + "or on a stopped server's database (--data-dir DIR or --database-url URL; "
            + "default: the server's own, $TANDEM_DATABASE_URL, else $TANDEM_DATA_DIR, else "
            + "./data).",
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {
      "0:done",
      "1:the work failed (no such document, a history that does not verify, …)",
      "2:bad arguments"
    })
public final class TandemCommand implements Runnable {
  @Spec CommandSpec spec;

  private TandemCommand() {}

  /**
   * Runs the command on {@code args} with {@code serve} as its subcommand {@code serve} (none if
   * null); returns the exit status.
   */
  public static int run(
      String[] args,
      Map<String, String> environment,
      Clock clock,
      CommandLine serve,
      PrintWriter out,
      PrintWriter err) {
    return run(args, environment, clock, serve, Terminal.NONE, out, err);
  }

  /** {@link #run}, with {@code out} and {@code err} terminals as {@code terminal} says. */
  public static int run(
      String[] args,
      Map<String, String> environment,
      Clock clock,
      CommandLine serve,
      Terminal terminal,
      PrintWriter out,
      PrintWriter err) {
    CommandLine command;
    String[] arguments;
    if (serve != null && args.length > 0 && args[0].equals("serve")) {
      // The server reads its settings alone: building every other command (picocli reads each
      // one's annotations) would cost every start of a server about 0.1 s of its critical path.
      command = handlingFailures(serve, serve);
      arguments = Arrays.copyOfRange(args, 1, args.length);
    } else {
      command = commandLine(environment, clock, serve, terminal);
      arguments = args;
    }
    int status = command.setOut(out).setErr(err).execute(arguments);
    out.flush();
    err.flush();
    return status;
  }

  /**
   * The command with every subcommand; first {@code serve} if not null (the server's own command,
   * which lives above this package: {@code dev.tandem.sequencer.Tandem} gives it).
   */
  public static CommandLine commandLine(
      Map<String, String> environment, Clock clock, CommandLine serve, Terminal terminal) {
    CommandLine tandem = new CommandLine(new TandemCommand());
    if (serve != null) {
      tandem.addSubcommand("serve", serve);
    }
    tandem.addSubcommand("token", TokenCommand.commandLine(environment, clock));
    tandem.addSubcommand("docs", new DocsCommand(environment, terminal));
    tandem.addSubcommand("text", new TextCommand(environment, terminal));
    CommandLine checkpoint = new CommandLine(new CheckpointCommand());
    checkpoint.addSubcommand("create", new CheckpointCommand.Create(environment, terminal));
    checkpoint.addSubcommand("list", new CheckpointCommand.List(environment, terminal));
    tandem.addSubcommand("checkpoint", checkpoint);
    tandem.addSubcommand("verify", new VerifyCommand(environment, terminal));
    tandem.addSubcommand("export", new ExportCommand(environment, terminal));
    tandem.addSubcommand("import", new ImportCommand(environment, terminal));
    tandem.addSubcommand("prune", new PruneCommand(environment, terminal));
    tandem.addSubcommand("delete", new DeleteCommand(environment, terminal));
    return handlingFailures(tandem, serve);
  }

  /**
   * {@code command} with the way failures are told: a {@link CommandFailure} as one line, a bad
   * setting of {@code serve} (may be null) as one line naming the flag and its variable, as at
   * start, any other bad argument with the usage.
   */
  private static CommandLine handlingFailures(CommandLine command, CommandLine serve) {
    command.setExecutionExceptionHandler(
        (failure, commandLine, parsed) -> {
          if (failure instanceof CommandFailure) {
            commandLine.getErr().println("tandem: " + failure.getMessage());
            return CommandFailure.EXIT_STATUS;
          }
          throw failure;
        });
    CommandLine.IParameterExceptionHandler usage = command.getParameterExceptionHandler();
    command.setParameterExceptionHandler(
        (failure, args) -> {
          if (failure.getCommandLine() == serve) {
            // the server's settings: one line naming the flag and its variable, as at start
            serve.getErr().println("tandem: " + ServerOptions.message(failure));
            return serve.getCommandSpec().exitCodeOnInvalidInput();
          }
          return usage.handleParseException(failure, args);
        });
    return command;
  }

  /** {@code tandem} alone: the usage. */
  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command");
  }
}
