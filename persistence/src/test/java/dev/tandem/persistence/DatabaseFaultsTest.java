package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The database layer under faults of its own embedded PostgreSQL (a data directory of this test's,
 * never the shared one): a killed postmaster is restarted under the open database, a stalled one
 * fails calls with {@link DatabaseUnavailableException} within the timeout instead of hanging, a
 * hung child process does not hang the start, and the data directory's files are private.
 */
class DatabaseFaultsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final Path directory = EmbeddedPostgresExtension.dataDirectory("faults-test");

  private DatabaseConfig config() {
    return DatabaseConfig.embedded(directory).withPoolSize(2).withTimeout(TIMEOUT);
  }

  @Test
  void aKilledPostmasterIsRestartedAndCallsFailAsUnavailableMeanwhile() throws Exception {
    String docId = EmbeddedPostgresExtension.freshDocId("killed-postmaster");
    try (Database database = Database.open(config())) {
      database.opLog().createDocument(docId, "a");
      database.opLog().append(List.of(Ops.stored(docId, 1, Ops.append(1, "b"), "c", 1)));
      long killed = PostgresProcesses.killPostmaster(directory);

      PostgresProcesses.await(
          () -> !database.health().status().reachable(), () -> "health still says reachable");
      String reason = database.health().status().reason();
      assertTrue(reason.contains("exited"), reason);
      int unavailable =
          appendUntilStored(database, Ops.stored(docId, 2, Ops.append(2, "c"), "c", 2));
      System.out.println("calls refused while the embedded PostgreSQL restarted: " + unavailable);
      assertTrue(unavailable >= 1, "no call was refused while the server was down");
      assertTrue(database.health().status().reachable());
      assertNotEquals(killed, PostgresProcesses.postmasterPid(directory), "a new postmaster");
      assertEquals(
          new DocumentSnapshot(docId, 2, "abc"),
          database.opLog().loadDocument(docId).orElseThrow());
    }
  }

  /**
   * If another process takes the port of the killed server before it is restarted, the server is
   * restarted on another port, and the pool follows it.
   */
  @Test
  void aRestartMovesToAnotherPortIfItsOwnWasTaken() throws Exception {
    String docId = EmbeddedPostgresExtension.freshDocId("port-taken");
    try (Database database = Database.open(config())) {
      database.opLog().createDocument(docId, "a");
      int port = port(database);
      ServerSocket squatter = null;
      for (int tries = 1; squatter == null; tries++) {
        assertTrue(tries <= 3, "the restart took its port back before this test, every time");
        PostgresProcesses.killPostmaster(directory);
        squatter = take(port);
        if (squatter == null) {
          PostgresProcesses.await(
              () -> database.health().status().reachable(), () -> "never restarted");
        }
      }
      try (ServerSocket taken = squatter) {
        appendUntilStored(database, Ops.stored(docId, 1, Ops.append(1, "b"), "c", 1));
        // The append may have gone through a backend that outlived its killed postmaster for a
        // moment, before the supervisor's restart: wait for the restart itself.
        PostgresProcesses.await(
            () -> port(database) != port, () -> "never restarted on another port");
        assertNotEquals(port, port(database), "restarted on another port");
        assertEquals(
            new DocumentSnapshot(docId, 1, "ab"),
            database.opLog().loadDocument(docId).orElseThrow());
        assertTrue(taken.isBound());
      }
    }
  }

  private static int port(Database database) {
    return URI.create(database.connectionConfig().url().substring("jdbc:".length())).getPort();
  }

  /** Binds {@code port} as soon as the dead server has let it go; null if its restart won. */
  private static ServerSocket take(int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < deadline) {
      ServerSocket socket = new ServerSocket();
      try {
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        return socket;
      } catch (BindException stillInUse) {
        socket.close();
        Thread.sleep(1);
      }
    }
    return null;
  }

  @Test
  void aStalledDatabaseFailsCallsWithinTheTimeoutAndRecovers() throws Exception {
    String docId = EmbeddedPostgresExtension.freshDocId("stalled");
    try (Database database = Database.open(config())) {
      database.opLog().createDocument(docId, "a");
      List<Long> server = PostgresProcesses.serverProcesses(directory);
      StoredOp op = Ops.stored(docId, 1, Ops.append(1, "b"), "c", 1);
      PostgresProcesses.signal("STOP", server);
      try {
        long start = System.nanoTime();
        assertThrows(
            DatabaseUnavailableException.class, () -> database.opLog().append(List.of(op)));
        System.out.printf(
            "a write to a stalled database failed after %d ms (timeout %d s)%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), TIMEOUT.toSeconds());
        PostgresProcesses.await(
            () -> !database.health().status().reachable(), () -> "health still reachable");
        start = System.nanoTime();
        assertThrows(DatabaseUnavailableException.class, () -> database.opLog().head(docId));
        System.out.printf(
            "a read once the database is known away failed after %d ms%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      } finally {
        PostgresProcesses.signal("CONT", server);
      }
      PostgresProcesses.await(
          () -> database.health().status().reachable(), () -> "health never came back");
      // The stalled write's outcome was unknown: it may have landed when the server resumed.
      appendUntilStored(database, op);
      assertEquals(
          new DocumentSnapshot(docId, 1, "ab"), database.opLog().loadDocument(docId).orElseThrow());
    }
  }

  @Test
  void theDataDirectoryIsPrivateEvenIfItWasNot() throws Exception {
    try (Database database = Database.open(config())) {
      database.opLog().head("anything");
    }
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        directory.resolve("postgres.log"), PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(
        directory.resolve("postgres.password"), PosixFilePermissions.fromString("rw-r--r--"));

    try (Database database = Database.open(config())) {
      int owner = Users.postgresAccount().map(Users.Account::uid).orElse(Users.currentUid());
      assertMode(directory, "rwx------", owner);
      assertMode(directory.resolve("postgres"), "rwx------", owner);
      assertMode(directory.resolve("postgres.log"), "rw-------", owner);
      assertMode(directory.resolve("postgres.password"), "rw-------", owner);
      assertMode(directory.resolve("tandem.lock"), "rw-------", owner);
    }
  }

  /**
   * A child that never finishes ({@code initdb} here, which also leaves a grandchild holding its
   * output) is killed at the command timeout, with its descendants, and the start fails with it.
   */
  @Test
  void aHungChildProcessDoesNotHangTheStart() throws Exception {
    Path fresh = EmbeddedPostgresExtension.dataDirectory("hung-child-test");
    FileTrees.deleteRecursively(fresh);
    Path binaries =
        fakeBinaries(
            "hung-child-binaries",
            "initdb",
            "dir=$(dirname \"${1#--pgdata=}\")\n"
                + "sleep 600 &\n"
                + "echo $$ $! > \"$dir/hung.pids\"\n"
                + "wait\n");

    long start = System.nanoTime();
    var hung =
        assertThrows(
            EmbeddedPostgresException.class,
            () -> EmbeddedPostgres.start(fresh, binaries, TIMEOUT, reason -> {}));
    System.out.printf(
        "start with a hung initdb failed after %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));

    assertTrue(hung.getMessage().contains("initdb did not finish within 2 s"), hung.getMessage());
    List<Long> pids = new ArrayList<>();
    for (String pid : Files.readString(fresh.resolve("hung.pids")).trim().split(" ")) {
      pids.add(Long.parseLong(pid));
    }
    assertEquals(2, pids.size(), pids.toString());
    PostgresProcesses.await(
        () -> pids.stream().noneMatch(PostgresProcesses::isAlive),
        () -> "the hung child or its child still runs: " + pids);
    assertFalse(Files.exists(fresh.resolve("postgres")), "no half-made cluster");
  }

  /** A {@code postgres} that never becomes ready is killed at the command timeout. */
  @Test
  void aServerThatNeverBecomesReadyDoesNotHangTheStart() throws Exception {
    Path fresh = EmbeddedPostgresExtension.dataDirectory("never-ready-test");
    FileTrees.deleteRecursively(fresh);
    Files.createDirectories(fresh.resolve("postgres"));
    Files.writeString(fresh.resolve("postgres/PG_VERSION"), "17\n");
    Files.writeString(fresh.resolve("postgres.password"), "unused\n");
    Path binaries =
        fakeBinaries(
            "never-ready-binaries", "postgres", "echo $$ > \"$2/../hung.pids\"\nexec sleep 600\n");

    var hung =
        assertThrows(
            EmbeddedPostgresException.class,
            () -> EmbeddedPostgres.start(fresh, binaries, TIMEOUT, reason -> {}));

    assertTrue(hung.getMessage().contains("did not become ready within 2 s"), hung.getMessage());
    long pid = Long.parseLong(Files.readString(fresh.resolve("hung.pids")).trim());
    PostgresProcesses.await(
        () -> !PostgresProcesses.isAlive(pid),
        () -> "the postgres that never became ready still runs: " + pid);
  }

  /** A directory with {@code bin/name} running {@code script}, as every user may. */
  private static Path fakeBinaries(String directory, String name, String script)
      throws IOException {
    Path binaries = EmbeddedPostgresExtension.dataDirectory(directory);
    Files.createDirectories(binaries.resolve("bin"));
    Path command = binaries.resolve("bin").resolve(name);
    Files.writeString(command, "#!/bin/sh\n" + script);
    for (Path path : List.of(binaries, binaries.resolve("bin"), command)) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    return binaries;
  }

  /** Appends {@code op} until it is stored; returns how many tries were refused as unavailable. */
  private static int appendUntilStored(Database database, StoredOp op) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    int unavailable = 0;
    while (true) {
      try {
        database.opLog().append(List.of(op));
        return unavailable;
      } catch (DuplicateRevisionException landedBefore) {
        return unavailable; // an earlier try's outcome was unknown, and it had committed
      } catch (DatabaseUnavailableException e) {
        unavailable++;
        if (System.nanoTime() > deadline) {
          fail("still unavailable after " + DEADLINE.toSeconds() + " s: " + e.getMessage());
        }
        Thread.sleep(50);
      }
    }
  }

  private static void assertMode(Path path, String mode, int owner) throws IOException {
    assertEquals(
        mode, PosixFilePermissions.toString(Files.getPosixFilePermissions(path)), path.toString());
    assertEquals(owner, (Integer) Files.getAttribute(path, "unix:uid"), path + " owner");
  }
}
