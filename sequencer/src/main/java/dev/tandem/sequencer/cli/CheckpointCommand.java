package dev.tandem.sequencer.cli;

import dev.tandem.persistence.CheckpointInfo;
import java.util.Map;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tandem checkpoint create|list DOC}. */
@Command(
    name = "checkpoint",
    mixinStandardHelpOptions = true,
    description = "Creates or lists a document's checkpoints (its full text at a revision).")
final class CheckpointCommand implements Runnable {
  @Spec CommandSpec spec;

  /** {@code tandem checkpoint} alone: the usage. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "name a subcommand: create or list");
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = "Writes a checkpoint at the head, or at a revision (admin on a server).")
  static final class Create extends DocumentCommand {
    @Parameters(paramLabel = "DOC", description = "the document id")
    String docId;

    @Option(names = "--rev", paramLabel = "N", description = "at revision N (default: the head)")
    Long rev;

    Create(Map<String, String> environment, Terminal terminal) {
      super(environment, terminal);
    }

    @Override
    public Integer call() {
      CheckpointInfo info =
          withStore(
              store ->
                  store.createCheckpoint(
                      docId, rev == null ? OptionalLong.empty() : OptionalLong.of(rev)));
      print(this, info);
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = "Lists a document's checkpoints: revision, SHA-256, chain hash, time.")
  static final class List extends DocumentCommand {
    @Parameters(paramLabel = "DOC", description = "the document id")
    String docId;

    List(Map<String, String> environment, Terminal terminal) {
      super(environment, terminal);
    }

    @Override
    public Integer call() {
      withStore(store -> store.checkpoints(docId)).forEach(info -> print(this, info));
      return 0;
    }
  }

  private static void print(DocumentCommand command, CheckpointInfo info) {
    command
        .out()
        .printf(
            "%d  sha256 %s  chain %s  %s%n",
            info.revision(), info.sha256(), info.chain(), info.createdAt());
  }
}
