package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseConfigTest {
  @Test
  void emptyEnvironmentMeansTheEmbeddedServerInData() {
    DatabaseConfig config = DatabaseConfig.fromEnvironment(Map.of("TANDEM_DATABASE_URL", " "));

    assertTrue(config.isEmbedded());
    assertEquals(Path.of("data"), config.dataDirectory());
    assertEquals(10, config.poolSize());
  }

  @Test
  void environmentNamesTheDatabase() {
    DatabaseConfig config =
        DatabaseConfig.fromEnvironment(
            Map.of(
                "TANDEM_DATABASE_URL", "jdbc:postgresql://db:5432/tandem",
                "TANDEM_DATABASE_USER", "tandem",
                "TANDEM_DATABASE_PASSWORD", "secret",
                "TANDEM_DATABASE_POOL_SIZE", "24",
                "TANDEM_DATA_DIR", "/var/lib/tandem"));

    assertEquals(
        new DatabaseConfig(
            "jdbc:postgresql://db:5432/tandem", "tandem", "secret", 24, Path.of("/var/lib/tandem")),
        config);
    assertFalse(config.isEmbedded());
    assertFalse(config.toString().contains("secret"), config.toString());
  }

  @Test
  void badValuesAreRefusedWithTheirName() {
    var poolSize =
        assertThrows(
            IllegalArgumentException.class,
            () -> DatabaseConfig.fromEnvironment(Map.of("TANDEM_DATABASE_POOL_SIZE", "many")));
    assertTrue(poolSize.getMessage().contains("TANDEM_DATABASE_POOL_SIZE"), poolSize.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> DatabaseConfig.fromEnvironment(Map.of("TANDEM_DATABASE_POOL_SIZE", "0")));
    assertThrows(
        IllegalArgumentException.class,
        () -> DatabaseConfig.fromEnvironment(Map.of("TANDEM_DATABASE_URL", "mysql://x")));
  }

  @Test
  void theTimeoutIsWholeSecondsFromOneToAnHour() {
    assertEquals(Duration.ofSeconds(5), DatabaseConfig.fromEnvironment(Map.of()).timeout());
    assertEquals(
        Duration.ofSeconds(7),
        DatabaseConfig.fromEnvironment(Map.of("TANDEM_DATABASE_TIMEOUT_SECONDS", "7")).timeout());
    var notANumber =
        assertThrows(
            IllegalArgumentException.class,
            () -> DatabaseConfig.fromEnvironment(Map.of("TANDEM_DATABASE_TIMEOUT_SECONDS", "x")));
    assertTrue(
        notANumber.getMessage().contains("TANDEM_DATABASE_TIMEOUT_SECONDS"),
        notANumber.getMessage());
    DatabaseConfig config = DatabaseConfig.embedded(Path.of("data"));
    for (Duration bad :
        List.of(
            Duration.ZERO,
            Duration.ofMillis(1500),
            Duration.ofSeconds(3601),
            Duration.ofSeconds(-1))) {
      assertThrows(IllegalArgumentException.class, () -> config.withTimeout(bad), bad.toString());
    }
    assertTrue(config.withTimeout(Duration.ofSeconds(9)).toString().contains("timeout=9s"));
  }
}
