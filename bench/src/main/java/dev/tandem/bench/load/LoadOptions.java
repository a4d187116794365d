package dev.tandem.bench.load;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@link LoadGenerator}: a workload, then {@code --name value} or {@code
 * --name=value} options. Defaults are the workloads.
 */
record LoadOptions(
    String workload,
    URI url,
    long serverPid,
    Path serverJar,
    List<String> serverJvmArgs,
    Path dataDir,
    int editors,
    int documents,
    int connections,
    double rate,
    double seconds,
    double warmupSeconds,
    double warmupMaxSeconds,
    long ops,
    int restarts,
    int threads,
    int fullTypists,
    long seed) {

  static final List<String> WORKLOADS =
      List.of("hot-doc", "typists", "many-docs", "idle", "recovery");

  static final String USAGE =
      """
      usage: java -cp bench/target/benchmarks.jar dev.tandem.bench.load.LoadGenerator WORKLOAD [options]

      workloads:
        hot-doc     --editors N (50) editors on one document, one op in flight each
        typists     --editors N (100) editors on one document, --rate R (5) edits/s each, inserting
                    only; --full-typists K (2) of them keep the text, the others count revisions
        many-docs   --documents D (1000) documents x 2 editors, one op in flight each
        idle        --connections C (10000) open sockets on --documents D (1000) documents
        recovery    --ops N (1000000) ops of history, then --restarts K (3) restarts (clean and kill -9)

      the server:
        --url ws://host:port/ws      a running server (else the server jar is started as a child
                                     process on a fresh data directory, deleted afterwards)
        --server-pid PID             with --url: read the server's CPU and memory from /proc
        --server-jar PATH            (sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar)
        --server-jvm-arg ARG         a JVM option for the child server (repeatable), e.g. for JFR
        --data-dir PATH              recovery: keep the history here (reused when it is there)

      measuring:
        --seconds S (20)  --warmup S (30)  --seed N (1)
        --warmup-max S (0)  past --warmup, warm up until the server's JIT compilers are quiet
                            (under 5 % of a core over 5 s; its pid must be known), S s at most
        --threads T (2)   the generator's socket threads
      """;

  static LoadOptions parse(String[] args) {
    if (args.length == 0 || !WORKLOADS.contains(args[0])) {
      throw new IllegalArgumentException(
          args.length == 0 ? "no workload" : "unknown workload " + args[0]);
    }
    Map<String, String> values = new HashMap<>();
    List<String> jvmArgs = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + arg);
      }
      String name;
      String value;
      int equals = arg.indexOf('=');
      if (equals > 0) {
        name = arg.substring(2, equals);
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.length) {
        name = arg.substring(2);
        value = args[++i];
      } else {
        throw new IllegalArgumentException("option " + arg + " needs a value");
      }
      if (name.equals("server-jvm-arg")) {
        jvmArgs.add(value);
      } else if (name.equals("batch")) {
        // Scripts written for the two delivery modes (../shared/bench/peers) still pass it.
        System.err.println("--batch is ignored: committed ops always come in ops frames");
      } else {
        values.put(name, value);
      }
    }
    String workload = args[0];
    LoadOptions options =
        new LoadOptions(
            workload,
            values.containsKey("url") ? URI.create(values.remove("url")) : null,
            Long.parseLong(values.getOrDefault("server-pid", "-1")),
            Path.of(
                values.getOrDefault(
                    "server-jar", "sequencer/target/tandem-sequencer-0.1.0-SNAPSHOT.jar")),
            List.copyOf(jvmArgs),
            values.containsKey("data-dir") ? Path.of(values.get("data-dir")) : null,
            Integer.parseInt(
                values.getOrDefault("editors", workload.equals("typists") ? "100" : "50")),
            Integer.parseInt(values.getOrDefault("documents", "1000")),
            Integer.parseInt(values.getOrDefault("connections", "10000")),
            Double.parseDouble(values.getOrDefault("rate", "5")),
            Double.parseDouble(values.getOrDefault("seconds", "20")),
            Double.parseDouble(values.getOrDefault("warmup", "30")),
            Double.parseDouble(values.getOrDefault("warmup-max", "0")),
            Long.parseLong(values.getOrDefault("ops", "1000000")),
            Integer.parseInt(values.getOrDefault("restarts", "3")),
            Integer.parseInt(values.getOrDefault("threads", "2")),
            Integer.parseInt(values.getOrDefault("full-typists", "2")),
            Long.parseLong(values.getOrDefault("seed", "1")));
    for (String known :
        List.of(
            "server-pid",
            "server-jar",
            "data-dir",
            "editors",
            "documents",
            "connections",
            "rate",
            "seconds",
            "warmup",
            "warmup-max",
            "ops",
            "restarts",
            "threads",
            "full-typists",
            "seed")) {
      values.remove(known);
    }
    if (!values.isEmpty()) {
      throw new IllegalArgumentException("unknown option(s) " + values.keySet());
    }
    return options;
  }
}
