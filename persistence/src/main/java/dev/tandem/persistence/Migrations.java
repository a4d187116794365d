package dev.tandem.persistence;

import com.zaxxer.hikari.util.DriverDataSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The schema: Flyway applies {@code db/migration} at every start, unless the schema history already
 * lists exactly those migrations, applied successfully.
 *
 * <p>That check is one query, where Flyway spends about half a second of CPU before it finds
 * nothing to do (it copies its configuration through Jackson and scans the class path), time that
 * every start pays on a machine with few cores. It only ever skips Flyway: anything it does not
 * recognise (no history table, a migration missing, failed, changed or unknown to this build, a
 * file in {@code db/migration} that is not a plain {@code V<version>__<description>.sql}) lets
 * Flyway run and decide, as it always did.
 */
final class Migrations {
  static final String LOCATION = "db/migration";
  private static final Pattern VERSIONED = Pattern.compile("V([0-9_.]+)__(.+)\\.sql");

  /** One row of {@code flyway_schema_history}, as Flyway writes it for a SQL migration. */
  record Applied(String version, String description, String script, int checksum) {}

  private Migrations() {}

  /** Brings the schema up to date; cheap when it is already. */
  static void apply(DataSource pool, DatabaseConfig connection) {
    ClassLoader loader = Migrations.class.getClassLoader();
    Optional<List<Applied>> bundled = bundled(loader);
    if (bundled.isPresent() && bundled.get().equals(history(pool))) {
      return;
    }
    migrate(connection, loader);
  }

  /**
   * Flyway gets connections of its own, not the pool's: it holds two at once (the schema history
   * lock and the migration), which a pool of size 1 could never give. Connecting is bounded as for
   * the pool; the migrations themselves are not (one may rightly take long on a large table).
   */
  private static void migrate(DatabaseConfig connection, ClassLoader loader) {
    Properties bounds = new Properties();
    bounds.setProperty("connectTimeout", Long.toString(connection.loginTimeoutSeconds()));
    bounds.setProperty("loginTimeout", Long.toString(connection.loginTimeoutSeconds()));
    try {
      Flyway.configure(loader)
          .dataSource(
              new DriverDataSource(
                  connection.url(),
                  "org.postgresql.Driver",
                  bounds,
                  connection.user(),
                  connection.password()))
          .locations("classpath:" + LOCATION)
          .failOnMissingLocations(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new PersistenceException(
          "migrating the schema failed: " + e.getMessage(), null, null, e);
    }
  }

  /**
   * What Flyway would record for {@code db/migration} as this class loader sees it, in version
   * order; empty if it holds anything but versioned SQL migrations in a directory or a jar (then
   * only Flyway can tell).
   */
  static Optional<List<Applied>> bundled(ClassLoader loader) {
    List<Applied> migrations = new ArrayList<>();
    try {
      Enumeration<URL> locations = loader.getResources(LOCATION);
      while (locations.hasMoreElements()) {
        if (!addFrom(locations.nextElement(), migrations)) {
          return Optional.empty();
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
    if (migrations.isEmpty()) {
      return Optional.empty();
    }
    migrations.sort(Comparator.comparing(Applied::version, Migrations::compareVersions));
    return Optional.of(migrations);
  }

  /** Successful SQL migrations in the history, in order; anything else is returned as is. */
  static List<Applied> history(DataSource pool) {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      try (ResultSet table =
          statement.executeQuery("SELECT to_regclass('flyway_schema_history') IS NOT NULL")) {
        if (!table.next() || !table.getBoolean(1)) {
          return List.of();
        }
      }
      List<Applied> rows = new ArrayList<>();
      try (ResultSet history =
          statement.executeQuery(
              "SELECT version, description, script, checksum, type, success"
                  + " FROM flyway_schema_history ORDER BY installed_rank")) {
        while (history.next()) {
          if (!"SQL".equals(history.getString(5)) || !history.getBoolean(6)) {
            return List.of(); // a failed, baseline or other entry: Flyway decides
          }
          int checksum = history.getInt(4);
          rows.add(
              new Applied(
                  history.getString(1),
                  history.getString(2),
                  history.getString(3),
                  history.wasNull() ? 0 : checksum));
        }
      }
      return rows;
    } catch (SQLException e) {
      return List.of(); // Flyway reports whatever is wrong, with its own message
    }
  }

  private static boolean addFrom(URL location, List<Applied> migrations) throws IOException {
    if (location.getProtocol().equals("file")) {
      Path directory;
      try {
        directory = Path.of(location.toURI());
      } catch (URISyntaxException | IllegalArgumentException e) {
        return false;
      }
      try (Stream<Path> files = Files.walk(directory)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          String relative = directory.relativize(file).toString();
          try (InputStream content = Files.newInputStream(file)) {
            if (!add(relative, content, migrations)) {
              return false;
            }
          }
        }
      }
      return true;
    }
    if (location.getProtocol().equals("jar")) {
      JarURLConnection connection = (JarURLConnection) location.openConnection();
      connection.setUseCaches(false);
      String prefix = connection.getEntryName() + "/";
      try (JarFile jar = connection.getJarFile()) {
        for (JarEntry entry : Collections.list(jar.entries())) {
          if (entry.isDirectory() || !entry.getName().startsWith(prefix)) {
            continue;
          }
          try (InputStream content = jar.getInputStream(entry)) {
            if (!add(entry.getName().substring(prefix.length()), content, migrations)) {
              return false;
            }
          }
        }
      }
      return true;
    }
    return false;
  }

  private static boolean add(String relative, InputStream content, List<Applied> migrations)
      throws IOException {
    String name = relative.substring(relative.lastIndexOf('/') + 1);
    Matcher versioned = VERSIONED.matcher(name);
    if (!versioned.matches()) {
      return false;
    }
    String version = versioned.group(1).replace('_', '.');
    if (!version.matches("\\d+(\\.\\d+)*")) {
      return false;
    }
    migrations.add(
        new Applied(version, versioned.group(2).replace('_', ' '), relative, checksum(content)));
    return true;
  }

  /**
   * Flyway's checksum of a SQL migration: the CRC-32 of its lines' UTF-8 bytes, without line breaks
   * and without a byte order mark. A different result only lets Flyway run.
   */
  static int checksum(InputStream content) throws IOException {
    CRC32 crc = new CRC32();
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(content, StandardCharsets.UTF_8), 4096);
    String line = reader.readLine();
    if (line != null && line.startsWith("\uFEFF")) {
      line = line.substring(1);
    }
    for (; line != null; line = reader.readLine()) {
      crc.update(line.getBytes(StandardCharsets.UTF_8));
    }
    return (int) crc.getValue();
  }

  private static int compareVersions(String a, String b) {
    String[] left = a.split("\\.");
    String[] right = b.split("\\.");
    for (int i = 0; i < Math.max(left.length, right.length); i++) {
      int order =
          new java.math.BigInteger(i < left.length ? left[i] : "0")
              .compareTo(new java.math.BigInteger(i < right.length ? right[i] : "0"));
      if (order != 0) {
        return order;
      }
    }
    return 0;
  }
}
