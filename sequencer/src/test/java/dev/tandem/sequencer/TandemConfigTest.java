package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TandemConfigTest {
  @Test
  void flagsWinOverTheEnvironmentWhichWinsOverDefaults() {
    TandemConfig config =
        TandemConfig.parse(
            List.of("--port", "9000", "--checkpoint-interval=50"),
            Map.of(
                "TANDEM_PORT",
                "7000",
                "TANDEM_MAX_OPEN_DOCUMENTS",
                "7",
                "TANDEM_DATA_DIR",
                "/tmp/x"));
    assertEquals(9000, config.port());
    assertEquals(50, config.checkpointInterval());
    assertEquals(7, config.maxOpenDocumentsPerConnection());
    assertEquals(Path.of("/tmp/x"), config.dataDir());
    assertEquals(1024 * 1024, config.maxMessageBytes());
    assertEquals(Duration.ofMinutes(5), config.idleUnloadAfter());
    assertEquals(Optional.empty(), config.databaseUrl());
  }

  @Test
  void badInputIsRefusedWithTheNameOfTheSetting() {
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> TandemConfig.parse(List.of("--prot", "1"), Map.of()));
    assertTrue(unknown.getMessage().contains("--prot"), unknown.getMessage());
    IllegalArgumentException notANumber =
        assertThrows(
            IllegalArgumentException.class,
            () -> TandemConfig.parse(List.of(), Map.of("TANDEM_PORT", "eighty")));
    assertTrue(notANumber.getMessage().contains("TANDEM_PORT"), notANumber.getMessage());
    IllegalArgumentException outOfRange =
        assertThrows(
            IllegalArgumentException.class,
            () -> TandemConfig.parse(List.of("--port=70000"), Map.of()));
    assertTrue(outOfRange.getMessage().contains("port"), outOfRange.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> TandemConfig.parse(List.of("--port"), Map.of()));
  }

  @Test
  void theEffectiveConfigurationPrintedAtStartNamesEverySetting() {
    String described = TandemConfig.defaults().describe();
    for (String line : TandemConfig.usage().split("\n")) {
      if (line.startsWith("  --")) {
        String name = line.substring(4, line.indexOf(' ', 4));
        assertTrue(
            described.contains("\n" + name + "=") || described.startsWith(name + "="),
            name + " missing from\n" + described);
      }
    }
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    TandemConfig defaults = TandemConfig.defaults();
    assertEquals(8080, defaults.port());
    assertEquals(1000, defaults.checkpointInterval());
    assertEquals(16 * 1024 * 1024, defaults.maxDocumentCodePoints());
    assertEquals(1024 * 1024, defaults.maxOpCodePoints());
    assertEquals(100, defaults.maxOpenDocumentsPerConnection());
    assertEquals(5000, defaults.maxMessagesPerSecond());
    assertEquals(256, defaults.effectiveCatchUpPage());
    assertEquals(
        4, defaults.toBuilder().outboundQueueLimit(16).build().effectiveCatchUpPage(), "a quarter");
  }

  @Test
  void aVanishedClientIsFoundWithin30SecondsByDefaultAndTheTimeoutLeavesTwoPings() {
    TandemConfig defaults = TandemConfig.defaults();
    assertTrue(
        defaults.pingTimeout().plus(defaults.pingInterval()).compareTo(Duration.ofSeconds(30)) <= 0,
        "timeout + interval bound the time to find a dead socket");
    TandemConfig parsed =
        TandemConfig.parse(
            List.of("--ping-interval-seconds", "5", "--ping-timeout-seconds=12"), Map.of());
    assertEquals(Duration.ofSeconds(5), parsed.pingInterval());
    assertEquals(Duration.ofSeconds(12), parsed.pingTimeout());
    assertTrue(parsed.describe().contains("ping-timeout-seconds=12"), parsed.describe());
    IllegalArgumentException tooShort =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TandemConfig.parse(
                    List.of("--ping-interval-seconds", "10", "--ping-timeout-seconds", "15"),
                    Map.of()));
    assertTrue(tooShort.getMessage().contains("ping-timeout-seconds"), tooShort.getMessage());
    IllegalArgumentException zero =
        assertThrows(
            IllegalArgumentException.class,
            () -> TandemConfig.parse(List.of("--ping-interval-seconds", "0"), Map.of()));
    assertTrue(zero.getMessage().contains("ping-interval-seconds"), zero.getMessage());
  }

  @Test
  void theDescriptionMasksThePassword() {
    TandemConfig config =
        TandemConfig.parse(
            List.of(
                "--database-password",
                "hunter2",
                "--database-url",
                "jdbc:postgresql://db/tandem?user=t&password=hunter2&ssl=true"),
            Map.of());
    assertTrue(config.describe().contains("database-password=****"));
    assertTrue(config.describe().contains("password=****&ssl=true"), config.describe());
    assertTrue(!config.describe().contains("hunter2"));
  }
}
