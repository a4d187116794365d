package dev.tandem.sequencer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code tandem serve}: runs the server until SIGTERM or SIGINT. Its settings are the server's own
 * flags and environment variables ({@code tandem serve --help} lists them), handed as they are to
 * {@link TandemServer#main}.
 */
@Command(
    name = "serve",
    description =
        "Runs the server until SIGTERM or SIGINT (a graceful shutdown). tandem serve --help lists its settings: flags, environment variables, defaults.")
final class ServeCommand implements Callable<Integer> {
  @Unmatched List<String> settings = new ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    TandemServer.main(settings.toArray(String[]::new)); // exits with 2 itself on bad settings
    return 0;
  }
}
