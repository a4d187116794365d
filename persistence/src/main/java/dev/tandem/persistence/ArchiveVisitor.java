package dev.tandem.persistence;

/**
 * Receives one document's history in order: {@link #header} once, then the clients whose ops were
 * pruned, if any (by client id), then its checkpoints and ops by ascending revision (the checkpoint
 * at revision R after op R, the first checkpoint before any op), then {@link #end}. Export writes
 * them to a file, import to a database, {@link HistoryVerifier} checks them.
 */
public interface ArchiveVisitor {
  void header(ArchiveHeader header);

  /** A client whose ops were pruned: after the header, before the first checkpoint. */
  void prunedClient(PrunedClient client);

  void checkpoint(ArchivedCheckpoint checkpoint);

  void op(ArchivedOp op);

  /** Everything was given; {@code ops} of them. */
  void end(long ops);
}
