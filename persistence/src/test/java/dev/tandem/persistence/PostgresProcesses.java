package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The processes of an embedded PostgreSQL, found through its data directory, for tests that kill or
 * stall it. Only ever used on a data directory of the test's own, never the shared one.
 */
public final class PostgresProcesses {
  private PostgresProcesses() {}

  /** The postmaster's pid, from {@code postgres/postmaster.pid}. */
  public static long postmasterPid(Path dataDirectory) throws IOException {
    return Long.parseLong(
        Files.readAllLines(dataDirectory.resolve("postgres/postmaster.pid")).get(0).trim());
  }

  /** Kills the postmaster with SIGKILL (its backends notice and exit); returns its pid. */
  public static long killPostmaster(Path dataDirectory) throws IOException {
    long pid = postmasterPid(dataDirectory);
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    return pid;
  }

  /** The postmaster and every process it started (its backends and auxiliary processes). */
  public static List<Long> serverProcesses(Path dataDirectory) throws IOException {
    ProcessHandle postmaster = ProcessHandle.of(postmasterPid(dataDirectory)).orElseThrow();
    List<Long> pids = new ArrayList<>();
    pids.add(postmaster.pid());
    postmaster.descendants().forEach(process -> pids.add(process.pid()));
    return pids;
  }

  public static boolean isAlive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** Polls {@code condition} until it holds; fails with {@code what} after 60 s. */
  public static void await(BooleanSupplier condition, Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not reached within 60 s: " + what.get());
      }
      Thread.sleep(10);
    }
  }

  /** Sends {@code signal} ({@code STOP}, {@code CONT}) to {@code pids} with kill(1). */
  public static void signal(String signal, List<Long> pids)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    Process kill = new ProcessBuilder(command).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      kill.destroyForcibly();
      throw new IllegalStateException("kill -" + signal + " " + pids + " failed");
    }
  }
}
