package dev.tandem.sequencer.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A {@code tandem} subcommand that works on documents, of a running server or a database. */
abstract class DocumentCommand implements Callable<Integer> {
  @Mixin StoreOptions where;

  @Spec CommandSpec spec;

  private final Map<String, String> environment;
  final Terminal terminal;

  DocumentCommand(Map<String, String> environment, Terminal terminal) {
    this.environment = environment;
    this.terminal = terminal;
  }

  /** Runs {@code work} on the store the options name, then closes it. */
  <T> T withStore(boolean mayCreate, Function<Store, T> work) {
    try (Store store = where.open(environment, mayCreate)) {
      return work.apply(store);
    }
  }

  <T> T withStore(Function<Store, T> work) {
    return withStore(false, work);
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
