package dev.tandem.sequencer.cli;

import dev.tandem.persistence.DatabaseConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Where a document command works: {@code --server URL} (a running server, through its REST API), or
 * {@code --data-dir DIR} / {@code --database-url URL} (a stopped server's database). Without any,
 * the database the server itself would use: {@code TANDEM_DATABASE_URL}, else {@code
 * TANDEM_DATA_DIR}, else {@code ./data}.
 */
final class StoreOptions {
  static final String TOKEN_VARIABLE = "TANDEM_TOKEN";

  /** Long work on a stopped database (a long export or import) gets more than the server's 5 s. */
  private static final Duration DATABASE_TIMEOUT = Duration.ofMinutes(10);

  @Option(
      names = "--server",
      paramLabel = "URL",
      description = "a running server, e.g. http://127.0.0.1:8080/ (through its REST API)")
  URI server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "the bearer token for --server (default: $" + TOKEN_VARIABLE + ")")
  String token;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "a stopped server's embedded database directory (default: $TANDEM_DATA_DIR, ./data)")
  Path dataDir;

  @Option(
      names = "--database-url",
      paramLabel = "URL",
      description =
          "a stopped server's PostgreSQL, jdbc:postgresql://… (default: $TANDEM_DATABASE_URL;"
              + " user and password from $TANDEM_DATABASE_USER, $TANDEM_DATABASE_PASSWORD)")
  String databaseUrl;

  /** Opens the store these options name; {@code mayCreate}: a new data directory is made. */
  Store open(Map<String, String> environment, boolean mayCreate) {
    int given =
        (server != null ? 1 : 0) + (dataDir != null ? 1 : 0) + (databaseUrl != null ? 1 : 0);
    if (given > 1) {
      throw new CommandFailure("give one of --server, --data-dir and --database-url");
    }
    if (server != null) {
      String bearer = token != null ? token : environment.get(TOKEN_VARIABLE);
      return new ServerStore(server, bearer == null || bearer.isEmpty() ? null : bearer);
    }
    DatabaseConfig config;
    try {
      config = DatabaseConfig.fromEnvironment(environment);
    } catch (IllegalArgumentException e) {
      throw new CommandFailure(e.getMessage(), e);
    }
    if (dataDir != null) {
      config = DatabaseConfig.embedded(dataDir);
    } else if (databaseUrl != null) {
      config = DatabaseConfig.external(databaseUrl, config.user(), config.password());
    }
    return DatabaseStore.open(config.withPoolSize(2).withTimeout(DATABASE_TIMEOUT), mayCreate);
  }
}
