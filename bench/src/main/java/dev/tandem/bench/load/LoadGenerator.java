package dev.tandem.bench.load;

/**
 * Drives a Tandem server over the real WebSocket protocol and reports one run as one JSON line (the
 * only line of the output that starts with <code>{</code>) and a readable table. See {@link
 * LoadOptions#USAGE} and docs/performance.md, "Load".
 */
public final class LoadGenerator {
  private LoadGenerator() {}

  public static void main(String[] args) throws Exception {
    LoadOptions options;
    try {
      options = LoadOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("load: " + e.getMessage() + "\n\n" + LoadOptions.USAGE);
      System.exit(2);
      return;
    }
    LoadResult result = run(options);
    System.out.println(result.json());
    System.out.print(result.table());
    System.exit(0); // the JDK's HTTP client may keep non-daemon threads
  }

  static LoadResult run(LoadOptions options) throws Exception {
    if (options.workload().equals("recovery")) {
      return Recovery.run(options);
    }
    try (Target target =
        options.url() != null
            ? Target.running(options.url(), options.serverPid())
            : Target.spawn(options.serverJar(), options.serverJvmArgs())) {
      return switch (options.workload()) {
        case "hot-doc" -> EditingWorkloads.hotDoc(target, options);
        case "many-docs" -> EditingWorkloads.manyDocs(target, options);
        case "typists" -> EditingWorkloads.typists(target, options);
        case "idle" -> Idle.run(target, options);
        default -> throw new IllegalArgumentException("unknown workload " + options.workload());
      };
    }
  }
}
