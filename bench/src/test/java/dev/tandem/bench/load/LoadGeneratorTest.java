package dev.tandem.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.TandemServer;
import dev.tandem.sequencer.config.TandemConfig;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The load generator against an in-process server, briefly: it must drive the real protocol and
 * find every editor converged with the server. Nothing here asserts on speed.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class LoadGeneratorTest {
  private static TandemServer server;

  @BeforeAll
  static void startServer() {
    TandemConfig config =
        TandemConfig.defaults().toBuilder()
            .host("127.0.0.1")
            .port(0)
            .staticDir((Path) null)
            .shutdownGrace(Duration.ofSeconds(5))
            .build();
    server =
        TandemServer.builder()
            .config(config)
            .database(EmbeddedPostgresExtension.database())
            .build()
            .start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @Test
  void hotDocConverges() throws Exception {
    ClosedLoopResult result = (ClosedLoopResult) run("hot-doc", "--editors", "2");
    assertTrue(result.convergence().converged(), result.convergence().describe());
    assertTrue(result.window().ackedOps() > 0, "no op was acknowledged");
    assertTrue(result.broadcastLatency().count() > 0, "no op reached the other editor");
  }

  @Test
  void manyDocsConverge() throws Exception {
    ClosedLoopResult result = (ClosedLoopResult) run("many-docs", "--documents", "3");
    assertTrue(result.convergence().converged(), result.convergence().describe());
    assertEquals(3, result.convergence().documents());
  }

  @Test
  void typistsConverge() throws Exception {
    TypistsResult result = (TypistsResult) run("typists", "--editors", "3", "--rate", "20");
    assertTrue(result.convergence().converged(), result.convergence().describe());
    assertTrue(result.window().ackedOps() > 0, "no op was acknowledged");
  }

  @Test
  void idleSocketsStayOpen() throws Exception {
    IdleResult result = (IdleResult) run("idle", "--connections", "20", "--documents", "5");
    assertNull(result.failure());
    assertEquals(20, result.connections());
  }

  @Test
  void resultsPrintAsOneJsonLine() throws Exception {
    LoadResult result = run("hot-doc", "--editors", "1");
    assertTrue(result.json().startsWith("{\"workload\":\"hot-doc\""), result.json());
    assertTrue(!result.json().contains("\n"));
    assertTrue(result.table().contains("acked ops/s"), result.table());
  }

  @Test
  void theJitCompilersOfAJvmAreFoundByTheirThreads() {
    // This JVM has compiled the code of the tests above by now.
    assertTrue(ProcessUsage.compilerCpuSeconds(ProcessHandle.current().pid()) > 0);
  }

  @Test
  void aWarmUpUntilTheJitIsQuietReportsHowLongItTookAndTheCompilersInTheWindow() throws Exception {
    // The server runs in this JVM: its pid is this one's.
    ClosedLoopResult result =
        (ClosedLoopResult)
            run(
                "hot-doc",
                "--editors",
                "1",
                "--server-pid",
                Long.toString(ProcessHandle.current().pid()),
                "--warmup-max",
                "1");
    assertTrue(result.warmupSeconds() >= 0.2, "warm-up " + result.warmupSeconds());
    assertNotNull(result.window().usage().compilerCores());
    assertTrue(result.table().contains("CPU of the server's JIT compilers"), result.table());
  }

  private static LoadResult run(String workload, String... options) throws Exception {
    String[] args = new String[options.length + 7];
    args[0] = workload;
    System.arraycopy(options, 0, args, 1, options.length);
    int i = options.length + 1;
    args[i++] = "--url";
    args[i++] = server.webSocketUri().toString();
    args[i++] = "--seconds";
    args[i++] = "1";
    args[i++] = "--warmup";
    args[i] = "0.2";
    return LoadGenerator.run(LoadOptions.parse(args));
  }
}
