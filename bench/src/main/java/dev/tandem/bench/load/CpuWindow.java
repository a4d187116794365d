package dev.tandem.bench.load;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * CPU use over a measured window, in cores (1.0 = one core busy the whole time): the server JVM,
 * its PostgreSQL (all of its processes) and this load generator, and the server JVM's JIT compiler
 * threads among its own (a window that is warm has them near 0); the server's memory at the end;
 * and its group commits in the window (commit transactions per second, ops per transaction), read
 * from its {@code /metrics}. Server figures are null when they cannot be read.
 */
record CpuWindow(
    Double serverCores,
    Double postgresCores,
    double generatorCores,
    Double compilerCores,
    Long serverRssBytes,
    Long serverPeakRssBytes,
    Double commitsPerSecond,
    Double opsPerCommit) {

  /** Call at the start of the window, and {@link Start#end} at its end. */
  static Start start(Target target) {
    return new Start(
        target,
        target.usage(),
        target.postgresCpuSeconds(),
        target.compilerCpuSeconds(),
        ProcessUsage.of(ProcessHandle.current().pid()),
        target.commitCounters(),
        System.nanoTime());
  }

  record Start(
      Target target,
      Optional<ProcessUsage> server,
      OptionalDouble postgres,
      OptionalDouble compiler,
      ProcessUsage generator,
      Optional<Target.CommitCounters> commits,
      long nanos) {
    CpuWindow end() {
      double seconds = (System.nanoTime() - nanos) / 1e9;
      ProcessUsage generatorNow = ProcessUsage.of(ProcessHandle.current().pid());
      Optional<ProcessUsage> serverNow = target.usage();
      OptionalDouble postgresNow = target.postgresCpuSeconds();
      OptionalDouble compilerNow = target.compilerCpuSeconds();
      Optional<Target.CommitCounters> commitsNow = target.commitCounters();
      Double commitsPerSecond = null;
      Double opsPerCommit = null;
      if (commits.isPresent() && commitsNow.isPresent()) {
        long transactions = commitsNow.get().transactions() - commits.get().transactions();
        commitsPerSecond = transactions / seconds;
        opsPerCommit =
            transactions == 0
                ? null
                : (double) (commitsNow.get().ops() - commits.get().ops()) / transactions;
      }
      return new CpuWindow(
          serverNow
              .map(now -> (now.cpuSeconds() - server.get().cpuSeconds()) / seconds)
              .orElse(null),
          postgresNow.isPresent() && postgres.isPresent()
              ? (postgresNow.getAsDouble() - postgres.getAsDouble()) / seconds
              : null,
          (generatorNow.cpuSeconds() - generator.cpuSeconds()) / seconds,
          compilerNow.isPresent() && compiler.isPresent()
              ? Math.max(0, compilerNow.getAsDouble() - compiler.getAsDouble()) / seconds
              : null,
          serverNow.map(ProcessUsage::rssBytes).orElse(null),
          serverNow.map(ProcessUsage::peakRssBytes).orElse(null),
          commitsPerSecond,
          opsPerCommit);
    }
  }

  LoadResult.Row cpuRow() {
    return LoadResult.Row.of(
        "CPU, cores: server / PostgreSQL / generator",
        format(serverCores) + " / " + format(postgresCores) + " / " + format(generatorCores));
  }

  /** The part of the server's CPU its JIT compilers took in the window. */
  LoadResult.Row compilerRow() {
    return LoadResult.Row.of("CPU of the server's JIT compilers, cores", format(compilerCores));
  }

  /** CPU time per acked op, in microseconds: what one op costs each process. */
  LoadResult.Row perOpRow(double opsPerSecond) {
    return LoadResult.Row.of(
        "CPU per acked op, µs: server / PostgreSQL / generator",
        micros(serverCores, opsPerSecond)
            + " / "
            + micros(postgresCores, opsPerSecond)
            + " / "
            + micros(generatorCores, opsPerSecond));
  }

  private static String micros(Double cores, double opsPerSecond) {
    return cores == null || opsPerSecond <= 0
        ? "-"
        : String.format(Locale.ROOT, "%.0f", cores * 1e6 / opsPerSecond);
  }

  LoadResult.Row commitRow() {
    return LoadResult.Row.of(
        "group commits/s / ops per commit",
        commitsPerSecond == null
            ? "-"
            : String.format(
                Locale.ROOT,
                "%,.0f / %s",
                commitsPerSecond,
                opsPerCommit == null ? "-" : String.format(Locale.ROOT, "%.1f", opsPerCommit)));
  }

  LoadResult.Row memoryRow() {
    return LoadResult.Row.of(
        "server RSS at end / peak",
        serverRssBytes == null
            ? "-"
            : LoadResult.megabytes(serverRssBytes)
                + " / "
                + LoadResult.megabytes(serverPeakRssBytes));
  }

  private static String format(Double cores) {
    return cores == null ? "-" : String.format(Locale.ROOT, "%.2f", cores);
  }
}
