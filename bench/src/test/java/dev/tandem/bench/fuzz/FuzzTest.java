package dev.tandem.bench.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * The fuzzer, bounded, against the server jar in a child process (its own embedded PostgreSQL under
 * {@code target/fuzz-server}): at least 100,000 hostile WebSocket messages and REST requests while
 * honest editors type into control documents. Nothing may answer {@code internal} or a 5xx, the
 * server's log must hold no ERROR line, the server must stay up and the control documents intact.
 * {@code -Dtandem.fuzz.seed=N} replays a run's inputs, {@code -Dtandem.fuzz.messages=N} changes the
 * count; the long run is the {@link Fuzz} command.
 */
class FuzzTest {
  @Test
  void hostileInputNeverBreaksTheServer() throws Exception {
    long seed = Long.getLong("tandem.fuzz.seed", System.nanoTime());
    long messages = Long.getLong("tandem.fuzz.messages", 100_000);
    Path root = Path.of(System.getProperty("tandem.repo.root", ".."));
    Path dataDir = EmbeddedPostgresExtension.dataDirectory("fuzz-server");
    Files.createDirectories(dataDir);
    // PostgreSQL runs as nobody when the tests run as root: it must reach the directory.
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Fuzz.Command command =
        Fuzz.parse(
            new String[] {
              "--messages", Long.toString(messages),
              "--seed", Long.toString(seed),
              "--max-seconds", "240",
              "--server-jar",
                  root.resolve("sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar").toString(),
              "--data-dir", dataDir.toString()
            });
    FuzzResult result = Fuzz.run(command);
    System.out.print(result.report());
    assertTrue(
        result.passed(),
        "seed " + seed + " (-Dtandem.fuzz.seed=" + seed + "):\n" + result.report());
    assertTrue(result.messages() >= messages, result.report());
    assertTrue(result.honestAcks() > 0, "the honest editors were never acknowledged");
  }
}
