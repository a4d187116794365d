package dev.tandem.persistence;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where the op log lives. With no {@code url}, Tandem starts an embedded PostgreSQL whose data
 * persists in {@code dataDirectory}; with one, it connects to that PostgreSQL and the data
 * directory is not used.
 *
 * @param url a {@code jdbc:postgresql:} URL, or null for the embedded server
 * @param user the database user (null: the URL's or the driver's default); unused when embedded
 * @param password the password (null: none); unused when embedded
 * @param poolSize the most connections the pool opens, 1 to 1000
 * @param dataDirectory the embedded server's data directory
 * @param timeout how long one database call may wait, in whole seconds from 1 to 3600: for a pooled
 *     connection, to connect, and for a statement (server-side {@code statement_timeout}, with the
 *     socket read timeout one second later as the backstop for a server that does not answer at
 *     all)
 */
public record DatabaseConfig(
    String url, String user, String password, int poolSize, Path dataDirectory, Duration timeout) {
  public static final String URL_VARIABLE = "TANDEM_DATABASE_URL";
  public static final String USER_VARIABLE = "TANDEM_DATABASE_USER";
  public static final String PASSWORD_VARIABLE = "TANDEM_DATABASE_PASSWORD";
  public static final String POOL_SIZE_VARIABLE = "TANDEM_DATABASE_POOL_SIZE";
  public static final String DATA_DIR_VARIABLE = "TANDEM_DATA_DIR";
  public static final String TIMEOUT_VARIABLE = "TANDEM_DATABASE_TIMEOUT_SECONDS";
  public static final int DEFAULT_POOL_SIZE = 10;
  public static final Path DEFAULT_DATA_DIRECTORY = Path.of("data");
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final int MAX_TIMEOUT_SECONDS = 3600;
  static final int MIN_LOGIN_SECONDS = 20;

  public DatabaseConfig {
    if (url != null && !url.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "database url must start with jdbc:postgresql: (got '" + url + "')");
    }
    if (poolSize < 1 || poolSize > 1000) {
      throw new IllegalArgumentException(
          "database pool size : " + poolSize + " (expected: 1 to 1000)");
    }
    if (dataDirectory == null) {
      throw new IllegalArgumentException("data directory must not be null");
    }
    if (timeout == null
        || timeout.toNanos() % 1_000_000_000L != 0
        || timeout.toSeconds() < 1
        || timeout.toSeconds() > MAX_TIMEOUT_SECONDS) {
      throw new IllegalArgumentException(
          "database timeout : "
              + timeout
              + " (expected: whole seconds from 1 to "
              + MAX_TIMEOUT_SECONDS
              + ")");
    }
  }

  /** A configuration with the {@link #DEFAULT_TIMEOUT}. */
  public DatabaseConfig(
      String url, String user, String password, int poolSize, Path dataDirectory) {
    this(url, user, password, poolSize, dataDirectory, DEFAULT_TIMEOUT);
  }

  /** The embedded PostgreSQL with its data in {@code dataDirectory}. */
  public static DatabaseConfig embedded(Path dataDirectory) {
    return new DatabaseConfig(null, null, null, DEFAULT_POOL_SIZE, dataDirectory);
  }

  /** An external PostgreSQL. */
  public static DatabaseConfig external(String url, String user, String password) {
    return new DatabaseConfig(url, user, password, DEFAULT_POOL_SIZE, DEFAULT_DATA_DIRECTORY);
  }

  /**
   * Reads {@code TANDEM_DATABASE_URL}, {@code TANDEM_DATABASE_USER}, {@code
   * TANDEM_DATABASE_PASSWORD}, {@code TANDEM_DATABASE_POOL_SIZE}, {@code TANDEM_DATA_DIR} and
   * {@code TANDEM_DATABASE_TIMEOUT_SECONDS} from {@code environment} (usually {@link
   * System#getenv()}); unset or empty means the default.
   */
  public static DatabaseConfig fromEnvironment(Map<String, String> environment) {
    int size = number(environment, POOL_SIZE_VARIABLE, DEFAULT_POOL_SIZE, "1 to 1000");
    int timeoutSeconds =
        number(
            environment,
            TIMEOUT_VARIABLE,
            (int) DEFAULT_TIMEOUT.toSeconds(),
            "1 to " + MAX_TIMEOUT_SECONDS);
    return new DatabaseConfig(
        value(environment, URL_VARIABLE).orElse(null),
        value(environment, USER_VARIABLE).orElse(null),
        value(environment, PASSWORD_VARIABLE).orElse(null),
        size,
        value(environment, DATA_DIR_VARIABLE).map(Path::of).orElse(DEFAULT_DATA_DIRECTORY),
        Duration.ofSeconds(timeoutSeconds));
  }

  private static int number(
      Map<String, String> environment, String name, int fallback, String range) {
    String text = value(environment, name).orElse(null);
    try {
      return text == null ? fallback : Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " : '" + text + "' (expected: a number from " + range + ")");
    }
  }

  /**
   * How long a new connection may take to connect and log in: the timeout, but at least {@value
   * #MIN_LOGIN_SECONDS} s, since the first login of a cold process on a busy machine can be slow (a
   * restart after a crash failed at 5 s). The pool connects in the background, so no call waits for
   * this past the timeout.
   */
  long loginTimeoutSeconds() {
    return Math.max(timeout.toSeconds(), MIN_LOGIN_SECONDS);
  }

  public boolean isEmbedded() {
    return url == null;
  }

  public DatabaseConfig withPoolSize(int size) {
    return new DatabaseConfig(url, user, password, size, dataDirectory, timeout);
  }

  public DatabaseConfig withDataDirectory(Path directory) {
    return new DatabaseConfig(url, user, password, poolSize, directory, timeout);
  }

  public DatabaseConfig withTimeout(Duration value) {
    return new DatabaseConfig(url, user, password, poolSize, dataDirectory, value);
  }

  private static Optional<String> value(Map<String, String> environment, String name) {
    return Optional.ofNullable(environment.get(name)).filter(value -> !value.isBlank());
  }

  /** Never shows the password. */
  @Override
  public String toString() {
    String common = ", poolSize=" + poolSize + ", timeout=" + timeout.toSeconds() + "s]";
    return isEmbedded()
        ? "DatabaseConfig[embedded, dataDirectory=" + dataDirectory + common
        : "DatabaseConfig[url=" + url + ", user=" + user + common;
  }
}
