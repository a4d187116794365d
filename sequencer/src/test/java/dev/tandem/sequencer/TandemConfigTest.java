package dev.tandem.sequencer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.sequencer.cli.TandemCommand;
import dev.tandem.sequencer.config.Logging;
import dev.tandem.sequencer.config.TandemConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

  /** Issue 12, item 10: these were accepted, and a negative grace or idle time then misbehaved. */
  @Test
  void theLogLevelAndFormatComeFromAFlagOrTheEnvironmentAndDefaultToInfoText() {
    TandemConfig defaults = TandemConfig.parse(List.of(), Map.of());
    assertEquals(org.slf4j.event.Level.INFO, defaults.logLevel());
    assertEquals(Logging.Format.TEXT, defaults.logFormat());
    TandemConfig set =
        TandemConfig.parse(
            List.of("--log-level", "DEBUG"),
            Map.of("TANDEM_LOG_LEVEL", "error", "TANDEM_LOG_FORMAT", "json"));
    assertEquals(org.slf4j.event.Level.DEBUG, set.logLevel());
    assertEquals(Logging.Format.JSON, set.logFormat());
    assertTrue(set.describe().contains("log-level=debug\nlog-format=json"), set.describe());
    for (List<String> args : List.of(List.of("--log-level=loud"), List.of("--log-format=xml"))) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> TandemConfig.parse(args, Map.of()));
      assertTrue(refused.getMessage().contains("log-"), refused.getMessage());
    }
  }

  @Test
  void idleUnloadAndShutdownGraceThatMeanNothingAreRefused() {
    for (List<String> args :
        List.of(
            List.of("--idle-unload-seconds", "-1"),
            List.of("--idle-unload-seconds=0"),
            List.of("--shutdown-grace-seconds", "-5"))) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> TandemConfig.parse(args, Map.of()));
      String name = args.get(0).substring(2).replaceFirst("=.*", "");
      assertTrue(refused.getMessage().startsWith(name + " : "), refused.getMessage());
      assertTrue(refused.getMessage().contains("(expected: at least "), refused.getMessage());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> TandemConfig.parse(List.of(), Map.of("TANDEM_SHUTDOWN_GRACE_SECONDS", "-1")));
    assertThrows(
        IllegalArgumentException.class,
        () -> TandemConfig.defaults().toBuilder().idleUnloadAfter(Duration.ofMillis(-1)).build());
    TandemConfig config =
        TandemConfig.parse(
            List.of("--shutdown-grace-seconds", "0", "--idle-unload-seconds", "1"), Map.of());
    assertEquals(Duration.ZERO, config.shutdownGrace(), "no grace is a meaningful choice");
    assertEquals(Duration.ofSeconds(1), config.idleUnloadAfter());
  }

  /** The server refuses them at start: a clear message and exit status 2, before anything opens. */
  @Test
  void theServerRefusesToStartWithThem() throws Exception {
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                TandemServer.class.getName(),
                "--idle-unload-seconds",
                "-1")
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), output);
    assertEquals(2, process.exitValue(), output);
    assertEquals("tandem: idle-unload-seconds : -1 (expected: at least 1)", output.strip());
  }

  /**
   * {@code tandem serve} through the command's entry point: its help comes from the options (each
   * with its variable and default, the environment's value shown as the default), and bad settings
   * are one line naming the flag and its variable, exit status 2, no secret echoed.
   */
  @Test
  void tandemServeHelpAndErrorsComeFromTheOptions() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, serve(Map.of("TANDEM_CHECKPOINT_INTERVAL", "77"), out, err, "--help"));
    String help = out.toString();
    assertTrue(help.startsWith("Usage: tandem serve [--SETTING=VALUE]..."), help);
    assertTrue(help.contains("TCP port; 0 picks a free one (default 8080)"), help);
    assertTrue(help.contains("env TANDEM_PORT"), help);
    assertTrue(help.contains("every N revisions (default 77)"), help);
    assertTrue(help.contains("TANDEM_AUTH_SECRET"), help);
    assertFalse(help.contains("TANDEM_HELP"), help);

    String secret = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL";
    Map<String, String> none = Map.of();
    for (Map.Entry<List<String>, Map<String, String>> bad :
        Map.of(
                List.of("--port", "eighty"),
                none,
                List.<String>of(),
                Map.of("TANDEM_PORT", "eighty"),
                List.of("--prot=1"),
                none,
                List.of("--auth-secret", secret),
                none,
                List.of("--log-level", "loud"),
                none,
                List.of("--idle-unload-seconds=-1"),
                none)
            .entrySet()) {
      StringWriter quiet = new StringWriter();
      StringWriter refused = new StringWriter();
      int status = serve(bad.getValue(), quiet, refused, bad.getKey().toArray(String[]::new));
      String message = refused.toString();
      assertEquals(2, status, bad + ": " + message);
      assertEquals(1, message.lines().count(), message);
      assertTrue(message.startsWith("tandem: "), message);
      assertFalse(message.contains(secret), message);
      assertEquals("", quiet.toString(), "nothing started");
    }
    StringWriter refused = new StringWriter();
    serve(Map.of("TANDEM_PORT", "eighty"), new StringWriter(), refused);
    assertEquals(
        "tandem: --port / TANDEM_PORT : 'eighty' (expected: an integer)",
        refused.toString().strip());
    assertEquals(
        9000, TandemConfig.parse(List.of("--port=9000"), Map.of("TANDEM_PORT", "eighty")).port());
    refused = new StringWriter();
    serve(Map.of(), new StringWriter(), refused, "--prot", "1");
    assertTrue(refused.toString().startsWith("tandem: unknown flag --prot"), refused.toString());
  }

  private static int serve(
      Map<String, String> env, StringWriter out, StringWriter err, String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "serve";
    System.arraycopy(args, 0, command, 1, args.length);
    return TandemCommand.run(
        command,
        env,
        Clock.systemUTC(),
        ServeCommand.commandLine(env),
        new PrintWriter(out),
        new PrintWriter(err));
  }

  @Test
  void theEffectiveConfigurationPrintedAtStartNamesEverySetting() {
    String described = TandemConfig.defaults().describe();
    java.util.regex.Matcher flags =
        java.util.regex.Pattern.compile("(?m)^ +--([a-z-]+)=").matcher(TandemConfig.usage());
    int count = 0;
    for (; flags.find(); count++) {
      String name = flags.group(1);
      assertTrue(
          described.contains("\n" + name + "=") || described.startsWith(name + "="),
          name + " missing from\n" + described);
    }
    assertTrue(count >= 43, "every flag of today: " + TandemConfig.usage());
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
  void outboundBytesAreBoundedPerSocketAndInTotalByAShareOfTheHeap() {
    TandemConfig defaults = TandemConfig.defaults();
    assertEquals(8L * 1024 * 1024, defaults.outboundSocketBytes());
    long heap = Runtime.getRuntime().maxMemory();
    assertEquals(Math.max(16L * 1024 * 1024, heap / 4), defaults.outboundTotalBytes());
    TandemConfig set =
        TandemConfig.parse(
            List.of("--outbound-socket-bytes", "65536"),
            Map.of("TANDEM_OUTBOUND_TOTAL_BYTES", "10000000000"));
    assertEquals(65536, set.outboundSocketBytes());
    assertEquals(10_000_000_000L, set.outboundTotalBytes());
    assertTrue(set.describe().contains("outbound-total-bytes=10000000000"), set.describe());
    IllegalArgumentException tooSmall =
        assertThrows(
            IllegalArgumentException.class,
            () -> TandemConfig.parse(List.of("--outbound-socket-bytes=0"), Map.of()));
    assertTrue(tooSmall.getMessage().contains("outbound-socket-bytes"), tooSmall.getMessage());
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class,
            () -> TandemConfig.parse(List.of("--outbound-total-bytes=-1"), Map.of()));
    assertTrue(negative.getMessage().contains("outbound-total-bytes"), negative.getMessage());
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

  @Test
  void theDatabaseTimeoutIsWholeSecondsFromOneToAnHour() {
    assertEquals(Duration.ofSeconds(5), TandemConfig.defaults().databaseTimeout());
    assertEquals(
        Duration.ofSeconds(2),
        TandemConfig.parse(List.of(), Map.of("TANDEM_DATABASE_TIMEOUT_SECONDS", "2"))
            .databaseTimeout());
    TandemConfig config = TandemConfig.parse(List.of("--database-timeout-seconds=3"), Map.of());
    assertEquals(Duration.ofSeconds(3), config.databaseTimeout());
    assertTrue(config.describe().contains("\ndatabase-timeout-seconds=3\n"), config.describe());
    for (String bad : List.of("0", "-1", "3601", "soon")) {
      IllegalArgumentException refused =
          assertThrows(
              IllegalArgumentException.class,
              () -> TandemConfig.parse(List.of("--database-timeout-seconds", bad), Map.of()));
      assertTrue(refused.getMessage().contains("database-timeout-seconds"), refused.getMessage());
    }
  }

  @Test
  void theMetricsTokenComesFromAFileOrTheEnvironmentAndIsNeverPrinted(@TempDir Path dir)
      throws Exception {
    String fromEnv = "metrics-token-from-the-environment";
    String fromFile = "metrics-token-from-the-file-0123";
    Path file = dir.resolve("metrics-token");
    java.nio.file.Files.writeString(file, fromFile + "\n"); // as echo or openssl write it

    TandemConfig none = TandemConfig.parse(List.of(), Map.of());
    assertTrue(none.metricsToken().isEmpty());
    assertTrue(none.describe().contains("metrics-token-file=not set"), none.describe());

    TandemConfig env = TandemConfig.parse(List.of(), Map.of("TANDEM_METRICS_TOKEN", fromEnv));
    assertTrue(env.metricsToken().orElseThrow().matches(fromEnv));
    assertFalse(env.metricsToken().orElseThrow().matches(fromEnv + "x"));
    assertTrue(env.describe().contains("metrics-token-file=set"), env.describe());
    assertFalse(env.describe().contains(fromEnv));
    assertFalse(env.toString().contains(fromEnv), "the record's own toString");

    TandemConfig both =
        TandemConfig.parse(
            List.of("--metrics-token-file", file.toString()),
            Map.of("TANDEM_METRICS_TOKEN", fromEnv));
    assertTrue(both.metricsToken().orElseThrow().matches(fromFile), "the file wins");
    assertFalse(both.metricsToken().orElseThrow().matches(fromEnv));
    assertFalse(both.toString().contains(fromFile));

    IllegalArgumentException tooShort =
        assertThrows(
            IllegalArgumentException.class,
            () -> TandemConfig.parse(List.of(), Map.of("TANDEM_METRICS_TOKEN", "short-secret")));
    assertTrue(tooShort.getMessage().contains("TANDEM_METRICS_TOKEN"), tooShort.getMessage());
    assertFalse(tooShort.getMessage().contains("short-secret"), tooShort.getMessage());
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TandemConfig.parse(
                    List.of("--metrics-token-file", dir.resolve("none").toString()), Map.of()));
    assertTrue(missing.getMessage().contains("metrics token file"), missing.getMessage());
  }

  @Test
  void perUserLimitsDefaultToAHundredSocketsAndTwiceTheSocketsMessageRate() {
    TandemConfig defaults = TandemConfig.defaults();
    assertEquals(100, defaults.maxConnectionsPerUser());
    assertEquals(2 * defaults.maxMessagesPerSecond(), defaults.maxMessagesPerSecondPerUser());
    TandemConfig config =
        TandemConfig.parse(
            List.of("--max-connections-per-user=5"),
            Map.of("TANDEM_MAX_MESSAGES_PER_SECOND_PER_USER", "0"));
    assertEquals(5, config.maxConnectionsPerUser());
    assertEquals(0, config.maxMessagesPerSecondPerUser());
    assertTrue(config.describe().contains("\nmax-connections-per-user=5\n"), config.describe());
    assertTrue(
        config.describe().contains("\nmax-messages-per-second-per-user=unlimited\n"),
        config.describe());
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> TandemConfig.parse(List.of("--max-connections-per-user", "-1"), Map.of()));
    assertTrue(refused.getMessage().contains("max-connections-per-user"), refused.getMessage());
  }
}
