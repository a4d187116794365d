package dev.tandem.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a run happened: the load average (1, 5, 15 minutes) before and after it, the cores and the
 * JVM. Figures only count when the load before was low: the generator and the server share the
 * cores with everything else on the machine.
 */
record Machine(String loadBefore, String loadAfter, int cores, String java) {
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  static Machine since(String loadBefore) {
    return new Machine(
        loadBefore,
        loadAverage(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
  }

  LoadResult.Row row() {
    return LoadResult.Row.of(
        "load average before / after", loadBefore + " / " + loadAfter + " (" + cores + " cores)");
  }
}
