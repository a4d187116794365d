package dev.tandem.persistence;

import java.nio.file.Path;
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
 */
public record DatabaseConfig(
    String url, String user, String password, int poolSize, Path dataDirectory) {
  public static final String URL_VARIABLE = "TANDEM_DATABASE_URL";
  public static final String USER_VARIABLE = "TANDEM_DATABASE_USER";
  public static final String PASSWORD_VARIABLE = "TANDEM_DATABASE_PASSWORD";
  public static final String POOL_SIZE_VARIABLE = "TANDEM_DATABASE_POOL_SIZE";
  public static final String DATA_DIR_VARIABLE = "TANDEM_DATA_DIR";
  public static final int DEFAULT_POOL_SIZE = 10;
  public static final Path DEFAULT_DATA_DIRECTORY = Path.of("data");

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
   * TANDEM_DATABASE_PASSWORD}, {@code TANDEM_DATABASE_POOL_SIZE} and {@code TANDEM_DATA_DIR} from
   * {@code environment} (usually {@link System#getenv()}); unset or empty means the default.
   */
  public static DatabaseConfig fromEnvironment(Map<String, String> environment) {
    String poolSize = value(environment, POOL_SIZE_VARIABLE).orElse(null);
    int size;
    try {
      size = poolSize == null ? DEFAULT_POOL_SIZE : Integer.parseInt(poolSize.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          POOL_SIZE_VARIABLE + " : '" + poolSize + "' (expected: a number from 1 to 1000)");
    }
    return new DatabaseConfig(
        value(environment, URL_VARIABLE).orElse(null),
        value(environment, USER_VARIABLE).orElse(null),
        value(environment, PASSWORD_VARIABLE).orElse(null),
        size,
        value(environment, DATA_DIR_VARIABLE).map(Path::of).orElse(DEFAULT_DATA_DIRECTORY));
  }

  public boolean isEmbedded() {
    return url == null;
  }

  public DatabaseConfig withPoolSize(int size) {
    return new DatabaseConfig(url, user, password, size, dataDirectory);
  }

  public DatabaseConfig withDataDirectory(Path directory) {
    return new DatabaseConfig(url, user, password, poolSize, directory);
  }

  private static Optional<String> value(Map<String, String> environment, String name) {
    return Optional.ofNullable(environment.get(name)).filter(value -> !value.isBlank());
  }

  /** Never shows the password. */
  @Override
  public String toString() {
    return isEmbedded()
        ? "DatabaseConfig[embedded, dataDirectory=" + dataDirectory + ", poolSize=" + poolSize + "]"
        : "DatabaseConfig[url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
  }
}
