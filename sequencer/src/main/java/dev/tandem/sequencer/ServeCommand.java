package dev.tandem.sequencer;

import dev.tandem.sequencer.config.ServerOptions;
import dev.tandem.sequencer.config.TandemConfig;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code tandem serve}: runs the server until SIGTERM or SIGINT. Its settings are {@link
 * ServerOptions}, picocli options read from the environment where no flag is given; {@code tandem
 * serve --help} lists them with their variables and defaults.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    version = "tandem 0.1.0-SNAPSHOT",
    description =
        "Runs the server until SIGTERM or SIGINT (a graceful shutdown). Each setting is a flag or"
            + " its environment variable (shown under it); a flag wins over the variable, which"
            + " wins over the default.",
    exitCodeListHeading = "Exit status:%n",
    exitCodeList = {
      "0:stopped",
      "1:the REST API could not be built (the log says why)",
      "2:bad settings (one line on stderr says which)"
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin final ServerOptions options;

  private ServeCommand(Map<String, String> environment) {
    options = new ServerOptions(environment);
  }

  /** The command, with its defaults read from {@code environment}. */
  static CommandLine commandLine(Map<String, String> environment) {
    return ServerOptions.configure(new CommandLine(new ServeCommand(environment)), environment);
  }

  @Override
  public Integer call() throws InterruptedException {
    TandemConfig config;
    try {
      config = options.toConfig();
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("tandem: " + e.getMessage());
      return 2;
    }
    return TandemServer.serve(config, spec.commandLine().getErr());
  }
}
