package dev.tandem.sequencer.cli;

import dev.tandem.persistence.ArchiveHeader;
import dev.tandem.persistence.ArchiveVisitor;
import dev.tandem.persistence.ArchivedCheckpoint;
import dev.tandem.persistence.ArchivedOp;
import dev.tandem.persistence.PrunedClient;

/** Gives a history to two visitors, the first first (a verifier, then a writer). */
record Tee(ArchiveVisitor first, ArchiveVisitor second) implements ArchiveVisitor {
  @Override
  public void header(ArchiveHeader header) {
    first.header(header);
    second.header(header);
  }

  @Override
  public void prunedClient(PrunedClient client) {
    first.prunedClient(client);
    second.prunedClient(client);
  }

  @Override
  public void checkpoint(ArchivedCheckpoint checkpoint) {
    first.checkpoint(checkpoint);
    second.checkpoint(checkpoint);
  }

  @Override
  public void op(ArchivedOp op) {
    first.op(op);
    second.op(op);
  }

  @Override
  public void end(long ops) {
    first.end(ops);
    second.end(ops);
  }
}
