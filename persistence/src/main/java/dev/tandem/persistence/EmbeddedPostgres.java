package dev.tandem.persistence;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.util.PasswordUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server whose cluster lives in a data directory of Tandem's, started with the
 * binaries of {@link PostgresBinaries} and stopped when closed or when the JVM exits.
 *
 * <p>Layout of the data directory (mode 0700): {@code tandem.lock} (held while a process uses the
 * directory), {@code postgres/} (the cluster), {@code postgres.password} (the generated superuser
 * password) and {@code postgres.log} (the server's log), files of mode 0600. The directory and
 * everything in it belong to the user PostgreSQL runs as: this process's, or {@code nobody}'s when
 * this process runs as root.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@code initdb} runs only when the directory holds no cluster yet; it runs into a staging
 *       directory that is renamed into place, so an interrupted first start leaves nothing half
 *       made.
 *   <li>One process at a time: a second one gets an {@link EmbeddedPostgresException} naming the
 *       holder, from an OS file lock that dies with its holder; PostgreSQL's own {@code
 *       postmaster.pid} check stands behind it.
 *   <li>A server left running by a process that died without stopping it (kill -9) is adopted when
 *       it is ready and runs exactly the command this process would start ({@code postmaster.opts}:
 *       the same binaries, cluster and settings); otherwise it is stopped with a fast (clean)
 *       shutdown and started again. Adopting spares a restart after a crash PostgreSQL's stop and
 *       start (about 0.2 s of work while the server starts).
 *   <li>It listens on 127.0.0.1 only, on a free port, with password authentication (SCRAM, a
 *       verifier of one iteration: see {@link #storeCheapVerifier}); fsync and synchronous_commit
 *       stay on, so a committed op survives a crash.
 *   <li>As root, PostgreSQL runs as {@code nobody} (see {@link Users}).
 *   <li>Supervised: if the postmaster exits while this object is not stopping it (killed, crashed),
 *       it is restarted on the same data directory (crash recovery replays the write-ahead log) and
 *       port (another if that one was taken meanwhile), up to {@value #RESTART_ATTEMPTS} attempts
 *       with backoff; {@code onDown} hears of the outage at once and of a final failure.
 *   <li>Every wait for a child process is bounded by the command timeout; a child that does not
 *       finish in time is killed with its descendants and the start fails with its output.
 * </ul>
 */
final class EmbeddedPostgres implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
  private static final String SUPERUSER = "postgres";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(180);
  static final int RESTART_ATTEMPTS = 8;
  private static final long FIRST_BACKOFF_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 4000;
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  /** glibc's malloc settings for PostgreSQL's processes: see {@link Launcher#environment}. */
  static final String MALLOC_TUNABLES = "glibc.malloc.trim_threshold=4194304";

  /** The line of {@code postmaster.pid} holding the postmaster's status ("ready" when it is). */
  private static final int PID_FILE_STATUS_LINE = 7;

  /** PBKDF2 iterations of the superuser's SCRAM verifier; see {@link #storeCheapVerifier}. */
  static final int SCRAM_ITERATIONS = 1;

  /** How often the start and the stop look at the pid file. */
  private static final long POLL_MILLIS = 5;

  /**
   * Data directories this JVM holds. Checked before the file lock is touched: opening and closing a
   * second channel on the lock file would release this JVM's lock (POSIX record locks belong to the
   * process, and any close drops them).
   */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path dataDirectory;
  private final Launcher launcher;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final String password;
  private volatile int port;
  private final Consumer<String> onDown;
  private final Thread shutdownHook;
  private ProcessHandle postmaster; // guarded by this
  private boolean stopped; // guarded by this

  private EmbeddedPostgres(
      Path dataDirectory,
      Launcher launcher,
      FileChannel lockChannel,
      FileLock lock,
      String password,
      Launcher.Running running,
      Consumer<String> onDown) {
    this.dataDirectory = dataDirectory;
    this.launcher = launcher;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.password = password;
    this.port = running.port();
    this.postmaster = running.postmaster();
    this.onDown = onDown;
    this.shutdownHook = new Thread(this::stopQuietly, "tandem-embedded-postgres-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts PostgreSQL on {@code dataDirectory}, creating the cluster on first use, and supervises
   * it; {@code onDown} hears why whenever the server goes away under this process.
   */
  static EmbeddedPostgres start(Path dataDirectory, Consumer<String> onDown) {
    return start(dataDirectory, null, COMMAND_TIMEOUT, onDown);
  }

  /**
   * {@link #start(Path, Consumer)} with the binaries in {@code binaries} (null: {@link
   * PostgresBinaries#unpacked()}) and every wait for a child process bounded by {@code
   * commandTimeout}; for tests.
   */
  static EmbeddedPostgres start(
      Path dataDirectory, Path binaries, Duration commandTimeout, Consumer<String> onDown) {
    Path directory = dataDirectory.toAbsolutePath().normalize();
    if (!HELD.add(directory)) {
      throw inUse(directory, Long.toString(ProcessHandle.current().pid()));
    }
    FileChannel lockChannel = null;
    try {
      Optional<Users.Account> account = Users.postgresAccount();
      Files.createDirectories(directory);
      FileTrees.restrict(directory, FileTrees.PRIVATE_DIRECTORY, account);
      Path lockFile = directory.resolve("tandem.lock");
      lockChannel =
          FileChannel.open(
              lockFile,
              Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(FileTrees.PRIVATE_FILE));
      FileLock lock = tryLock(lockChannel, directory);
      FileTrees.restrict(lockFile, FileTrees.PRIVATE_FILE, account);
      lockChannel.truncate(0);
      lockChannel.write(StandardCharsets.US_ASCII.encode(ProcessHandle.current().pid() + "\n"), 0);
      lockChannel.force(true);

      Path installation = binaries != null ? binaries : PostgresBinaries.unpacked();
      if (account.isPresent()) {
        Users.requireTraversable(directory, account.get());
        Users.requireTraversable(installation.resolve("bin"), account.get());
      }
      Launcher launcher = new Launcher(directory, installation, account, commandTimeout);
      String password = launcher.prepareCluster();
      Launcher.Running running = launcher.adoptOrStartServer();
      log.info("embedded PostgreSQL on 127.0.0.1:{}, data in {}", running.port(), directory);
      EmbeddedPostgres server =
          new EmbeddedPostgres(directory, launcher, lockChannel, lock, password, running, onDown);
      server.watch(running.postmaster());
      return server;
    } catch (IOException e) {
      closeQuietly(lockChannel);
      HELD.remove(directory);
      throw new EmbeddedPostgresException(
          "cannot start the embedded PostgreSQL in " + directory + ": " + e, e);
    } catch (RuntimeException e) {
      closeQuietly(lockChannel);
      HELD.remove(directory);
      throw e;
    }
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  String user() {
    return SUPERUSER;
  }

  String password() {
    return password;
  }

  Path dataDirectory() {
    return dataDirectory;
  }

  /**
   * Stores the superuser's SCRAM verifier with {@link #SCRAM_ITERATIONS} iterations, unless it has
   * that many already (clusters made before kept initdb's 4096 until this ran once).
   *
   * <p>Every connection the pool, Flyway or a tool opens derives its key with PBKDF2 for as many
   * iterations as the verifier says, in Java, cold: 4096 of them cost a start about 0.2 s of CPU
   * (the interpreted loop and its compilation). The iterations only slow down guessing a password
   * from a stolen verifier or a recorded login; this password is 192 random bits (no guess can
   * succeed at any count), the server listens on 127.0.0.1 only, and whoever can read the verifier
   * in the cluster's files can read {@code postgres.password} beside them. The verifier is computed
   * here, so the password itself never travels in a statement; it is set for this role only, and
   * the server's {@code scram_iterations} stays at its default for any other password.
   */
  void storeCheapVerifier(DataSource pool) {
    try (Connection connection = pool.getConnection();
        Statement statement = connection.createStatement()) {
      String verifier;
      try (ResultSet row =
          statement.executeQuery(
              "SELECT rolpassword FROM pg_authid WHERE rolname = current_user")) {
        verifier = row.next() ? row.getString(1) : null;
      }
      if (verifier == null
          || !verifier.startsWith("SCRAM-SHA-256$")
          || verifier.startsWith("SCRAM-SHA-256$" + SCRAM_ITERATIONS + ":")) {
        return;
      }
      byte[] salt = new byte[16];
      new SecureRandom().nextBytes(salt);
      String cheap = PasswordUtil.encodeScramSha256(password.toCharArray(), SCRAM_ITERATIONS, salt);
      statement.execute("ALTER ROLE " + SUPERUSER + " PASSWORD '" + cheap.replace("'", "''") + "'");
      log.info("stored the PostgreSQL password's verifier with {} iteration", SCRAM_ITERATIONS);
    } catch (SQLException e) {
      // Logging in keeps working with the old verifier, only more slowly.
      log.warn("could not store a cheaper password verifier: {}", e.toString());
    }
  }

  /** Stops the server with a fast shutdown (clean: no recovery needed at the next start). */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to; stopping here as well is harmless.
    }
    stop();
  }

  private synchronized void stopQuietly() {
    try {
      stop();
    } catch (RuntimeException e) {
      log.error("stopping the embedded PostgreSQL failed", e);
    }
  }

  private synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      if (postmaster.isAlive()) {
        try {
          launcher.stopServer();
        } catch (RuntimeException e) {
          // A server still starting (being restarted) may have no pid file for pg_ctl yet.
          postmaster.destroyForcibly();
          throw e;
        }
      }
    } finally {
      try {
        lock.release();
      } catch (IOException e) {
        log.warn("releasing {} failed", dataDirectory.resolve("tandem.lock"), e);
      }
      closeQuietly(lockChannel);
      HELD.remove(dataDirectory);
    }
  }

  /**
   * Restarts the postmaster when it exits while nobody is stopping it. An adopted postmaster is not
   * this JVM's child, so the JDK learns of its exit by polling, at most 5 s late.
   */
  private void watch(ProcessHandle process) {
    process.onExit().thenRun(() -> exited(process));
  }

  private void exited(ProcessHandle process) {
    synchronized (this) {
      if (stopped || process != postmaster) {
        return;
      }
    }
    String reason = "the embedded PostgreSQL (pid " + process.pid() + ") exited";
    log.error("{}; restarting it on {}", reason, dataDirectory);
    onDown.accept(reason + "; restarting it");
    Thread restarter = new Thread(this::restart, "tandem-embedded-postgres-restart");
    restarter.setDaemon(true);
    restarter.start();
  }

  /**
   * Starts the postmaster again, with backoff: its last backends may still hold the old server's
   * shared memory for a moment, which PostgreSQL refuses to start over. It keeps its port unless
   * another process took it meanwhile; the pool asks {@link #jdbcUrl()} for each new connection.
   * The lock is not held while the new server recovers, so that closing is never delayed by it: a
   * close meanwhile stops the new server.
   */
  private void restart() {
    long backoff = FIRST_BACKOFF_MILLIS;
    String failure = "";
    int onPort = port;
    for (int attempt = 1; attempt <= RESTART_ATTEMPTS; attempt++) {
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoff = Math.min(2 * backoff, MAX_BACKOFF_MILLIS);
      Process started;
      try {
        synchronized (this) {
          if (stopped) {
            return;
          }
          started = launcher.launch(onPort);
          postmaster = started.toHandle(); // what close() stops from now on
        }
        if (launcher.awaitReady(started)) {
          synchronized (this) {
            if (stopped) {
              return; // close() stopped it, or it was not ready yet and is stopping now
            }
            port = onPort;
            watch(postmaster);
          }
          log.info(
              "embedded PostgreSQL restarted on 127.0.0.1:{} (attempt {} of {})",
              onPort,
              attempt,
              RESTART_ATTEMPTS);
          return; // the database's health probe notices that it answers again
        }
        synchronized (this) {
          if (stopped) {
            return;
          }
        }
        failure = launcher.startFailed(started).getMessage();
      } catch (IOException | RuntimeException e) {
        failure = e.getMessage();
      }
      log.warn(
          "restarting the embedded PostgreSQL failed (attempt {} of {}): {}",
          attempt,
          RESTART_ATTEMPTS,
          failure);
      if (launcher.couldNotBind()) {
        int taken = onPort;
        try {
          onPort = Launcher.freePort();
          log.warn("port {} is taken by another process; trying {} next", taken, onPort);
        } catch (IOException e) {
          log.warn("port {} is taken and no other is free: {}", taken, e.toString());
        }
      }
    }
    log.error(
        "the embedded PostgreSQL could not be restarted after {} attempts; restart Tandem",
        RESTART_ATTEMPTS);
    onDown.accept(
        "the embedded PostgreSQL exited and could not be restarted after "
            + RESTART_ATTEMPTS
            + " attempts: "
            + failure);
  }

  private static FileLock tryLock(FileChannel channel, Path directory) throws IOException {
    FileLock lock = channel.tryLock();
    if (lock == null) {
      String holder =
          new String(
              Files.readAllBytes(directory.resolve("tandem.lock")), StandardCharsets.US_ASCII);
      throw inUse(directory, holder.trim());
    }
    return lock;
  }

  private static EmbeddedPostgresException inUse(Path directory, String holder) {
    return new EmbeddedPostgresException(
        "data directory "
            + directory
            + " is in use by another process"
            + (holder.isEmpty() ? "" : " (pid " + holder + ")")
            + "; stop it first or choose another data directory (TANDEM_DATA_DIR)");
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Closing releases the lock; nothing more to do if it fails.
      }
    }
  }

  /** Runs initdb, postgres and pg_ctl. Holds no state of its own beyond the paths. */
  private static final class Launcher {
    private final Path directory;
    private final Path cluster;
    private final Path binaries;
    private final Optional<Users.Account> account;
    private final Path logFile;
    private final Path passwordFile;
    private final Duration timeout;

    /** A postmaster that accepts connections on {@code port}. */
    record Running(int port, ProcessHandle postmaster) {}

    Launcher(Path directory, Path binaries, Optional<Users.Account> account, Duration timeout) {
      this.directory = directory;
      this.cluster = directory.resolve("postgres");
      this.binaries = binaries;
      this.account = account;
      this.logFile = directory.resolve("postgres.log");
      this.passwordFile = directory.resolve("postgres.password");
      this.timeout = timeout;
    }

    /** Creates the cluster if there is none; returns the superuser password. */
    String prepareCluster() throws IOException {
      if (!Files.exists(cluster.resolve("PG_VERSION"))) {
        if (Files.exists(cluster)) {
          throw new EmbeddedPostgresException(
              cluster + " exists but holds no PostgreSQL cluster (no PG_VERSION); move it away");
        }
        initCluster();
      }
      if (!Files.isReadable(passwordFile)) {
        throw new EmbeddedPostgresException(
            passwordFile + " is missing: the cluster in " + cluster + " cannot be logged into");
      }
      if (account.isPresent()) {
        Users.Account user = account.get();
        if ((Integer) Files.getAttribute(cluster, "unix:uid") != user.uid()) {
          FileTrees.changeOwnerRecursively(cluster, user);
        }
      }
      if (!Files.exists(logFile)) {
        Files.createFile(logFile, PosixFilePermissions.asFileAttribute(FileTrees.PRIVATE_FILE));
      }
      FileTrees.restrict(logFile, FileTrees.PRIVATE_FILE, account);
      FileTrees.restrict(passwordFile, FileTrees.PRIVATE_FILE, account);
      return Files.readString(passwordFile).trim();
    }

    private void initCluster() throws IOException {
      Path staging = directory.resolve("postgres.initdb");
      Path initPassword = directory.resolve("postgres.initdb-password");
      FileTrees.deleteRecursively(staging);
      Files.createDirectory(
          staging, PosixFilePermissions.asFileAttribute(FileTrees.PRIVATE_DIRECTORY));
      byte[] secret = new byte[24];
      new SecureRandom().nextBytes(secret);
      String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
      Files.deleteIfExists(initPassword);
      Files.writeString(
          Files.createFile(
              initPassword, PosixFilePermissions.asFileAttribute(FileTrees.PRIVATE_FILE)),
          password + "\n");
      try {
        if (account.isPresent()) {
          FileTrees.changeOwner(staging, account.get());
          FileTrees.changeOwner(initPassword, account.get());
        }
        log.info("creating the PostgreSQL cluster in {} (first start)", cluster);
        run(
            List.of(
                binaries.resolve("bin/initdb").toString(),
                "--pgdata=" + staging,
                "--username=" + SUPERUSER,
                "--pwfile=" + initPassword,
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-instructions"),
            "initdb");
      } finally {
        Files.deleteIfExists(initPassword);
      }
      Path savedPassword = directory.resolve("postgres.password.new");
      Files.deleteIfExists(savedPassword);
      Files.writeString(
          Files.createFile(
              savedPassword, PosixFilePermissions.asFileAttribute(FileTrees.PRIVATE_FILE)),
          password + "\n");
      Files.move(savedPassword, passwordFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Files.move(staging, cluster, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private String majorVersion() {
      // "postgres (PostgreSQL) 17.2" -> "17"; --version runs before PostgreSQL's root check.
      String output = run(List.of(binaries.resolve("bin/postgres").toString(), "--version"), null);
      String version = output.trim().substring(output.trim().lastIndexOf(' ') + 1);
      return version.substring(
          0, version.indexOf('.') > 0 ? version.indexOf('.') : version.length());
    }

    /**
     * Starts the server on a free port; returns the port once it accepts connections.
     *
     * <p>{@code postgres} is started directly rather than through {@code pg_ctl start --wait},
     * which spends a shell and a {@code postgres -V} of its own on the way and looks for readiness
     * only every 100 ms. It runs in a session of its own ({@code setsid}, as {@code pg_ctl} does),
     * so a terminal's Ctrl-C reaches only this JVM, whose shutdown hook stops it cleanly.
     */
    Running adoptOrStartServer() throws IOException {
      Optional<Running> orphan = adoptOrStopOrphan();
      if (orphan.isPresent()) {
        return orphan.get();
      }
      for (int attempt = 1; ; attempt++) {
        int port = freePort();
        Process postmaster = launch(port);
        if (awaitReady(postmaster)) {
          return new Running(port, postmaster.toHandle());
        }
        // Another process may have taken the port between freePort() and the bind.
        if (attempt < 3 && couldNotBind()) {
          continue;
        }
        throw startFailed(postmaster);
      }
    }

    /** Whether the last start failed because its port was taken (as its log's end says). */
    boolean couldNotBind() {
      return logTail().contains("could not bind");
    }

    Process launch(int port) throws IOException {
      List<String> command = new ArrayList<>();
      if (Files.isExecutable(SETSID)) {
        command.add(SETSID.toString());
      }
      command.addAll(postgresCommand(port));
      // setpriv and setsid exec what follows them: the process started is the postmaster itself.
      ProcessBuilder builder =
          new ProcessBuilder(Users.runAs(account, command))
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .redirectErrorStream(true);
      environment(builder);
      return builder.start();
    }

    /** The postmaster's command line on {@code port}: the one place its settings are chosen. */
    private List<String> postgresCommand(int port) {
      return List.of(
          binaries.resolve("bin/postgres").toString(),
          "-D",
          cluster.toString(),
          "-p",
          Integer.toString(port),
          "-c",
          "listen_addresses=127.0.0.1",
          "-c",
          "unix_socket_directories=",
          "-c",
          "fsync=on",
          "-c",
          "synchronous_commit=on");
    }

    /**
     * Waits until {@code postmaster.pid} names this postmaster and says "ready" (what {@code pg_ctl
     * start --wait} waits for: the server accepts connections); false if the postmaster exited
     * first. A pid file left by an earlier server names another pid and is never taken for ours.
     */
    boolean awaitReady(Process postmaster) {
      Path pidFile = cluster.resolve("postmaster.pid");
      String pid = Long.toString(postmaster.pid());
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (true) {
          List<String> lines = readLines(pidFile);
          if (lines.size() > PID_FILE_STATUS_LINE
              && lines.get(0).trim().equals(pid)
              && lines.get(PID_FILE_STATUS_LINE).trim().equals("ready")) {
            return true;
          }
          if (!postmaster.isAlive()) {
            return false;
          }
          if (System.nanoTime() - deadline > 0) {
            destroyTree(postmaster);
            throw timedOut("become ready");
          }
          Thread.sleep(POLL_MILLIS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        destroyTree(postmaster);
        throw new EmbeddedPostgresException("interrupted while PostgreSQL started", e);
      }
    }

    /** PostgreSQL did not {@code what} in time; the error carries the end of its log. */
    private EmbeddedPostgresException timedOut(String what) {
      return new EmbeddedPostgresException(
          "PostgreSQL did not "
              + what
              + " within "
              + timeout.toSeconds()
              + " s\nend of "
              + logFile
              + ":\n"
              + logTail());
    }

    /**
     * The error for a postmaster that exited at start; a cluster of another major version than the
     * binaries (which PostgreSQL refuses) is named as such.
     */
    EmbeddedPostgresException startFailed(Process postmaster) {
      String clusterVersion;
      try {
        clusterVersion = Files.readString(cluster.resolve("PG_VERSION")).trim();
      } catch (IOException e) {
        clusterVersion = "?";
      }
      String binariesVersion = majorVersion();
      if (!clusterVersion.equals(binariesVersion)) {
        return new EmbeddedPostgresException(
            "the cluster in "
                + cluster
                + " is PostgreSQL "
                + clusterVersion
                + " but the embedded binaries are PostgreSQL "
                + binariesVersion
                + "; upgrade it with pg_upgrade or use another data directory");
      }
      return new EmbeddedPostgresException(
          "postgres failed to start (exit "
              + postmaster.exitValue()
              + ")\nend of "
              + logFile
              + ":\n"
              + logTail());
    }

    /**
     * Stops the server with a fast shutdown: {@code pg_ctl} sends the signal and returns, and we
     * wait for the postmaster to remove its pid file, which is the last thing it does (as {@code
     * pg_ctl stop --wait} does, at a finer interval).
     */
    void stopServer() {
      Path pidFile = cluster.resolve("postmaster.pid");
      run(
          List.of(
              binaries.resolve("bin/pg_ctl").toString(),
              "stop",
              "--pgdata=" + cluster,
              "--mode=fast",
              "--no-wait",
              "--silent"),
          "pg_ctl stop");
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (Files.exists(pidFile)) {
          if (System.nanoTime() - deadline > 0) {
            throw timedOut("stop");
          }
          Thread.sleep(POLL_MILLIS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EmbeddedPostgresException("interrupted while PostgreSQL stopped", e);
      }
    }

    /**
     * A postmaster on our cluster while we hold the directory lock was left by a process that died
     * without stopping it: every live user of the directory holds the lock. It is adopted when it
     * is ready and is the server {@link #launch} would start, as its own {@code postmaster.opts}
     * records (the same binaries, cluster and settings); otherwise it is stopped with a fast
     * shutdown, so that the start that follows applies this process's settings.
     */
    private Optional<Running> adoptOrStopOrphan() throws IOException {
      Path pidFile = cluster.resolve("postmaster.pid");
      List<String> lines = readLines(pidFile);
      if (lines.size() < 2 || !Path.of(lines.get(1)).equals(cluster)) {
        return Optional.empty();
      }
      long pid;
      try {
        pid = Long.parseLong(lines.get(0).trim());
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      ProcessHandle.Info info = process.map(ProcessHandle::info).orElse(null);
      boolean isPostgres =
          info != null
              && info.command().map(command -> command.endsWith("/postgres")).orElse(false);
      if (!isPostgres) {
        return Optional.empty(); // a dead server's pid file: PostgreSQL's own start handles it
      }
      Optional<Integer> port = adoptablePort(info, lines);
      if (port.isPresent()) {
        log.warn(
            "adopting PostgreSQL (pid {}) left running on {} by a process that died", pid, cluster);
        return Optional.of(new Running(port.get(), process.get()));
      }
      log.warn(
          "stopping PostgreSQL (pid {}) left running on {} by a process that died", pid, cluster);
      stopServer();
      return Optional.empty();
    }

    /**
     * The port of the postmaster that {@code pidLines} name ({@code info}), if it can be adopted:
     * it is ready, started when its pid file says (not another process that reuses the pid), runs
     * our binaries and was started with exactly the command {@link #postgresCommand} gives.
     */
    private Optional<Integer> adoptablePort(ProcessHandle.Info info, List<String> pidLines)
        throws IOException {
      if (pidLines.size() <= PID_FILE_STATUS_LINE
          || !pidLines.get(PID_FILE_STATUS_LINE).trim().equals("ready")) {
        return Optional.empty();
      }
      int port;
      long startSecond;
      try {
        startSecond = Long.parseLong(pidLines.get(2).trim());
        port = Integer.parseInt(pidLines.get(3).trim());
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      boolean sameStart =
          info.startInstant()
              .map(start -> Math.abs(start.getEpochSecond() - startSecond) <= 2)
              .orElse(false);
      Path program = binaries.resolve("bin/postgres").toRealPath();
      boolean ourBinaries =
          info.command().map(command -> Path.of(command).equals(program)).orElse(false);
      if (!sameStart || !ourBinaries) {
        return Optional.empty();
      }
      // PostgreSQL writes postmaster.opts at its start: its program's path, then each argument
      // quoted (CreateOptsFile).
      List<String> command = postgresCommand(port);
      StringBuilder expected = new StringBuilder(program.toString());
      command
          .subList(1, command.size())
          .forEach(arg -> expected.append(" \"").append(arg).append('"'));
      List<String> opts = readLines(cluster.resolve("postmaster.opts"));
      boolean sameCommand = opts.size() == 1 && opts.get(0).equals(expected.toString());
      return sameCommand ? Optional.of(port) : Optional.empty();
    }

    private String logTail() {
      try {
        List<String> lines = Files.readAllLines(logFile);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
      } catch (IOException e) {
        return "(no log: " + e + ")";
      }
    }

    /**
     * Runs a command (as the PostgreSQL account); returns its output or fails with it. The output
     * goes to a file rather than a pipe, so the wait is bounded by the timeout whatever the child
     * (or a grandchild that inherited its output) does; a child that does not finish in time is
     * killed with its descendants.
     */
    private String run(List<String> command, String what) {
      List<String> full = Users.runAs(account, command);
      String name = what == null ? command.get(0) : what;
      Path output = null;
      try {
        output = Files.createTempFile("tandem-postgres-command", ".out"); // mode 0600
        ProcessBuilder builder =
            new ProcessBuilder(full)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(output.toFile())
                .redirectErrorStream(true);
        environment(builder);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          destroyTree(process);
          throw new EmbeddedPostgresException(
              name
                  + " did not finish within "
                  + timeout.toSeconds()
                  + " s and was killed: "
                  + String.join(" ", full)
                  + "\n"
                  + new String(Files.readAllBytes(output), StandardCharsets.UTF_8).trim());
        }
        String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
          throw new EmbeddedPostgresException(
              name
                  + " failed (exit "
                  + process.exitValue()
                  + "): "
                  + text.trim()
                  + (what != null && what.startsWith("pg_ctl")
                      ? "\nend of " + logFile + ":\n" + logTail()
                      : ""));
        }
        return text;
      } catch (IOException e) {
        throw new EmbeddedPostgresException("cannot run " + String.join(" ", full) + ": " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new EmbeddedPostgresException("interrupted while running " + command.get(0), e);
      } finally {
        if (output != null) {
          try {
            Files.deleteIfExists(output);
          } catch (IOException ignored) {
            // A leftover temporary file in the temporary directory; nothing depends on it.
          }
        }
      }
    }

    /** Kills {@code process} and everything it started, and waits a moment for it to go. */
    private static void destroyTree(Process process) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static void environment(ProcessBuilder builder) {
      builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
      builder.environment().put("LC_ALL", "C");
      // A backend's statement grows glibc's heap by about 300 KiB and frees it again; past the
      // default 128 KiB trim threshold every free returns it to the kernel (brk) and the next
      // statement faults it back in, page by page: 40-60 us of CPU per commit (docs/performance.md,
      // "PostgreSQL's heap"). 4 MiB keeps it, at most 4 MiB per backend. An operator's own setting
      // wins.
      builder.environment().putIfAbsent("GLIBC_TUNABLES", MALLOC_TUNABLES);
    }

    private static List<String> readLines(Path file) {
      try {
        return Files.readAllLines(file, StandardCharsets.US_ASCII);
      } catch (IOException notThereOrBeingWritten) {
        return List.of();
      }
    }

    static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }
  }
}
