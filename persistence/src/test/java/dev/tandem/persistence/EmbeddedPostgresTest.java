package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PasswordUtil;

/** The embedded server keeps its data across restarts and belongs to one process at a time. */
class EmbeddedPostgresTest {
  private final Path directory = EmbeddedPostgresExtension.dataDirectory("restart-test");

  @Test
  void dataSurvivesARestartAndASecondProcessIsRefused() throws Exception {
    String docId = EmbeddedPostgresExtension.freshDocId("restart");
    DatabaseConfig config = DatabaseConfig.embedded(directory).withPoolSize(2);
    try (Database first = Database.open(config)) {
      first.opLog().createDocument(docId, "a");
      first.opLog().append(List.of(Ops.stored(docId, 1, Ops.append(1, "b"), "c", 1)));

      var sameJvm = assertThrows(EmbeddedPostgresException.class, () -> Database.open(config));
      assertTrue(
          sameJvm.getMessage().contains("is in use by another process"), sameJvm.getMessage());
      String otherJvm = runSecondProcess();
      assertTrue(
          otherJvm.contains(
              "refused: data directory "
                  + directory.toAbsolutePath()
                  + " is in use by another process (pid "
                  + ProcessHandle.current().pid()
                  + ")"),
          otherJvm);

      first.opLog().append(List.of(Ops.stored(docId, 2, Ops.append(2, "c"), "c", 2)));
    }
    assertFalse(Files.exists(directory.resolve("postgres/postmaster.pid")), "server stopped");

    try (Database second = Database.open(config)) {
      assertEquals(
          new DocumentSnapshot(docId, 2, "abc"), second.opLog().loadDocument(docId).orElseThrow());
      assertEquals(2, second.opLog().readRange(docId, 1, 10).size());
    }
  }

  /**
   * PostgreSQL's processes run with glibc's trim threshold raised, so a backend keeps the heap a
   * statement frees instead of returning and faulting it back per commit; an operator's own
   * GLIBC_TUNABLES wins.
   */
  @Test
  void theServerRunsWithItsMallocSettings() throws Exception {
    String expected =
        Optional.ofNullable(System.getenv("GLIBC_TUNABLES"))
            .orElse(EmbeddedPostgres.MALLOC_TUNABLES);
    try (Database database = Database.open(DatabaseConfig.embedded(directory).withPoolSize(1))) {
      String environment =
          Files.readString(
              Path.of(
                  "/proc", Long.toString(PostgresProcesses.postmasterPid(directory)), "environ"));
      assertTrue(
          List.of(environment.split("\0")).contains("GLIBC_TUNABLES=" + expected), environment);
    }
  }

  /**
   * A data directory made before the superuser's verifier was cheap (initdb's 4096 iterations)
   * still opens, and from then on has the verifier of {@link EmbeddedPostgres#SCRAM_ITERATIONS}.
   */
  @Test
  void anOldVerifierStillLogsInAndIsReplaced() throws Exception {
    DatabaseConfig config = DatabaseConfig.embedded(directory).withPoolSize(2);
    String password;
    try (Database first = Database.open(config)) {
      password = first.connectionConfig().password();
      assertTrue(verifier(first).startsWith("SCRAM-SHA-256$1:"), verifier(first));
      byte[] salt = new byte[16];
      new java.security.SecureRandom().nextBytes(salt);
      String old = PasswordUtil.encodeScramSha256(password.toCharArray(), 4096, salt);
      execute(first, "ALTER ROLE postgres PASSWORD '" + old + "'");
      assertTrue(verifier(first).startsWith("SCRAM-SHA-256$4096:"), verifier(first));
    }

    try (Database second = Database.open(config)) {
      assertEquals(password, second.connectionConfig().password());
      assertTrue(verifier(second).startsWith("SCRAM-SHA-256$1:"), verifier(second));
      String docId = EmbeddedPostgresExtension.freshDocId("verifier");
      second.opLog().createDocument(docId, "in");
      assertEquals("in", second.opLog().loadDocument(docId).orElseThrow().text());
    }
  }

  private static String verifier(Database database) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT rolpassword FROM pg_authid WHERE rolname = 'postgres'")) {
      assertTrue(row.next());
      return row.getString(1);
    }
  }

  private static void execute(Database database, String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  @Test
  void unreachableDatabaseIsUnavailable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    DatabaseConfig config =
        DatabaseConfig.external(
            "jdbc:postgresql://127.0.0.1:" + closedPort + "/postgres", "tandem", "secret");

    var refused = assertThrows(DatabaseUnavailableException.class, () -> Database.open(config));

    assertTrue(refused.getMessage().contains("cannot connect"), refused.getMessage());
  }

  /**
   * A process killed with SIGKILL leaves its PostgreSQL running; the next start adopts that server
   * (it runs exactly the command this process would start), supervises it like its own and stops it
   * when closed, and what the killed process committed is there.
   */
  @Test
  void aServerLeftRunningByAKilledProcessIsAdoptedAndSupervised() throws Exception {
    String docId = EmbeddedPostgresExtension.freshDocId("adopted");
    long orphan = killProcessLeavingItsServer(docId);
    Path pidFile = directory.resolve("postgres/postmaster.pid");

    DatabaseConfig config =
        DatabaseConfig.embedded(directory).withPoolSize(1).withTimeout(Duration.ofSeconds(2));
    try (Database next = Database.open(config)) {
      assertEquals(orphan, PostgresProcesses.postmasterPid(directory), "the same postmaster");
      assertEquals(
          new DocumentSnapshot(docId, 1, "ab"), next.opLog().loadDocument(docId).orElseThrow());

      PostgresProcesses.killPostmaster(directory);
      assertEquals(new DocumentSnapshot(docId, 1, "ab"), loadOnceRestarted(next, docId, orphan));
    }
    assertFalse(Files.exists(pidFile), "the restarted server stopped on close");
  }

  /**
   * A server left running with other settings than this process's (an older Tandem, say) is not
   * adopted: it is stopped cleanly and this process starts its own.
   */
  @Test
  void aServerLeftRunningWithOtherSettingsIsStoppedAndStartedAgain() throws Exception {
    String docId = EmbeddedPostgresExtension.freshDocId("not-adopted");
    long orphan = killProcessLeavingItsServer(docId);
    Path opts = directory.resolve("postgres/postmaster.opts");
    Files.writeString(opts, Files.readString(opts).trim() + " \"-c\" \"work_mem=8MB\"\n");

    try (Database next = Database.open(DatabaseConfig.embedded(directory).withPoolSize(1))) {
      assertNotEquals(orphan, PostgresProcesses.postmasterPid(directory), "a new postmaster");
      // It removes its pid file just before it exits.
      Optional<ProcessHandle> stopping = ProcessHandle.of(orphan);
      if (stopping.isPresent()) {
        stopping.get().onExit().get(60, TimeUnit.SECONDS);
      }
      assertEquals(
          new DocumentSnapshot(docId, 1, "ab"), next.opLog().loadDocument(docId).orElseThrow());
    }
  }

  /**
   * Starts a second process that commits op 1 of {@code docId}, kills it with SIGKILL once it has,
   * and returns the pid of the PostgreSQL server it leaves running.
   */
  private long killProcessLeavingItsServer(String docId) throws Exception {
    Process process = secondProcess("commit", directory.toString(), docId);
    try {
      awaitCommitted(process);
      process.destroyForcibly();
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "killed process ended");
    } finally {
      process.destroyForcibly();
    }
    long orphan = PostgresProcesses.postmasterPid(directory);
    assertTrue(PostgresProcesses.isAlive(orphan), "left running");
    return orphan;
  }

  /** Loads {@code docId} once the server that replaced {@code killed} answers (bounded wait). */
  private DocumentSnapshot loadOnceRestarted(Database database, String docId, long killed)
      throws InterruptedException {
    AtomicReference<DocumentSnapshot> loaded = new AtomicReference<>();
    PostgresProcesses.await(
        () -> {
          try {
            if (PostgresProcesses.postmasterPid(directory) != killed) {
              loaded.set(database.opLog().loadDocument(docId).orElseThrow());
            }
          } catch (DatabaseUnavailableException
              | IOException
              | NumberFormatException
              | IndexOutOfBoundsException notYet) {
            // restarting: no pid file yet, or the pool's connection went with the killed server
          }
          return loaded.get() != null;
        },
        () -> "the killed server was never restarted");
    return loaded.get();
  }

  /**
   * A server killed together with its process (power loss, the OOM killer) leaves a pid file that
   * still says "ready". The next start is not fooled by it: it waits for its own server, which
   * recovers from the write-ahead log first, and what the killed process committed is there.
   */
  @Test
  void aDeadServersPidFileIsNotTakenForReadiness() throws Exception {
    String docId = EmbeddedPostgresExtension.freshDocId("crashed");
    Path pidFile = directory.resolve("postgres/postmaster.pid");
    Process process = secondProcess("commit", directory.toString(), docId);
    try {
      awaitCommitted(process);
      List<String> pidLines = Files.readAllLines(pidFile);
      assertEquals("ready", pidLines.get(7).trim(), pidLines.toString());
      ProcessHandle postmaster = ProcessHandle.of(Long.parseLong(pidLines.get(0).trim())).get();
      List<ProcessHandle> server = new ArrayList<>(postmaster.descendants().toList());
      server.add(postmaster);
      process.destroyForcibly();
      server.forEach(ProcessHandle::destroyForcibly);
      assertTrue(process.waitFor(60, TimeUnit.SECONDS), "killed process ended");
      for (ProcessHandle each : server) {
        each.onExit().get(60, TimeUnit.SECONDS);
      }
    } finally {
      process.destroyForcibly();
    }
    assertEquals("ready", Files.readAllLines(pidFile).get(7).trim(), "left behind as it was");

    try (Database next = Database.open(DatabaseConfig.embedded(directory).withPoolSize(1))) {
      assertEquals(
          new DocumentSnapshot(docId, 1, "ab"), next.opLog().loadDocument(docId).orElseThrow());
    }
  }

  private static void awaitCommitted(Process process) throws IOException {
    BufferedReader output =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder seen = new StringBuilder();
    while ((line = output.readLine()) != null && !line.equals("committed")) {
      seen.append(line).append('\n');
    }
    assertEquals("committed", line, seen.toString());
  }

  private Process secondProcess(String... args) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SecondProcess.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private String runSecondProcess() throws IOException, InterruptedException {
    Process process = secondProcess("open", directory.toString());
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "second process finished");
    assertEquals(3, process.exitValue(), output);
    return output;
  }
}
