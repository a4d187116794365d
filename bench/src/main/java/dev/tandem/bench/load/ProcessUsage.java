package dev.tandem.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a process has used so far, from Linux's {@code /proc}: its CPU time (user + system) and its
 * resident set, now and at its peak.
 */
record ProcessUsage(double cpuSeconds, long rssBytes, long peakRssBytes) {
  /** {@code sysconf(_SC_CLK_TCK)}: 100 on every Linux of the last decades. */
  private static final double TICKS_PER_SECOND = 100;

  static ProcessUsage of(long pid) {
    return new ProcessUsage(
        cpuSeconds(pid),
        statusKilobytes(pid, "VmRSS:") * 1024,
        statusKilobytes(pid, "VmHWM:") * 1024);
  }

  /** CPU seconds of a process and all its descendants (PostgreSQL's postmaster and backends). */
  static double treeCpuSeconds(long pid) {
    return cpuSeconds(pid)
        + ProcessHandle.of(pid)
            .map(p -> p.descendants().mapToDouble(d -> cpuSeconds(d.pid())).sum())
            .orElse(0.0);
  }

  /**
   * CPU seconds of a JVM's JIT compiler threads ({@code C1 CompilerThread0}, {@code C2
   * CompilerThread0}, ...; Linux keeps the first 15 characters of a thread's name) that are alive
   * now: HotSpot may end a compiler thread that has been idle, and its time goes with it.
   */
  static double compilerCpuSeconds(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (Stream<Path> threads = Files.list(tasks)) {
      return threads
          .filter(
              task ->
                  read(task.resolve("comm"))
                      .map(name -> name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler"))
                      .orElse(false))
          .mapToDouble(task -> statCpuSeconds(task.resolve("stat")))
          .sum();
    } catch (IOException e) {
      return 0.0; // the process has ended
    }
  }

  private static double cpuSeconds(long pid) {
    return statCpuSeconds(Path.of("/proc", Long.toString(pid), "stat"));
  }

  /** utime + stime of a process's or a thread's {@code stat} file. */
  private static double statCpuSeconds(Path statFile) {
    return read(statFile)
        .map(
            stat -> {
              // The fields after the command name (which may hold spaces): state first, utime 12th.
              String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
              return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
            })
        .orElse(0.0);
  }

  private static long statusKilobytes(long pid, String key) {
    return read(Path.of("/proc", Long.toString(pid), "status"))
        .flatMap(
            status ->
                List.of(status.split("\n")).stream().filter(l -> l.startsWith(key)).findFirst())
        .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
        .orElse(0L);
  }

  private static Optional<String> read(Path file) {
    try {
      return Optional.of(Files.readString(file));
    } catch (IOException e) {
      return Optional.empty(); // the process has ended
    }
  }
}
