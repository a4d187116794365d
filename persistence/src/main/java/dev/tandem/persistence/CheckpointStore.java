package dev.tandem.persistence;

import dev.tandem.ot.OperationJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The checkpoints of every document: the full text at some revisions, so that the text at any
 * revision is the nearest checkpoint at or below it plus a short replay of the op log. Every
 * document has a checkpoint at revision 0 (its initial text), written by {@link
 * OpLog#createDocument} and never deleted. A checkpoint is immutable once written. Thread-safe.
 */
public final class CheckpointStore {
  private static final String COLUMNS = "doc_id, rev, content, sha256, created_at, chain";

  private final GuardedPool pool;

  CheckpointStore(GuardedPool pool) {
    this.pool = pool;
  }

  /**
   * Stores {@code text} as the document's text at {@code revision}. Writing the same text again is
   * a no-op.
   *
   * @throws DocumentNotFoundException if the document does not exist
   * @throws RevisionOutOfRangeException if {@code revision} is past the head
   * @throws UnstorableTextException if the text holds U+0000 or a lone surrogate
   * @throws PersistenceException if a different text is already stored at {@code revision}
   */
  public CheckpointInfo write(String docId, long revision, String text) {
    Ids.requireDocId(docId);
    TextChecks.requireStorable(text, docId, revision);
    String sha256 = TextChecks.sha256(text);
    return Jdbc.inTransaction(
        pool,
        Connection.TRANSACTION_READ_COMMITTED,
        "write checkpoint",
        docId,
        revision,
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO checkpoints (doc_id, rev, content, sha256, chain)"
                      + " SELECT d.id, ?, ?, ?, CASE"
                      + " WHEN d.head_rev = ? THEN d.head_hash"
                      + " WHEN ? = 0 THEN (SELECT c.chain FROM checkpoints c"
                      + " WHERE c.doc_id = d.id AND c.rev = 0)"
                      + " ELSE (SELECT o.hash FROM operations o WHERE o.doc_id = d.id AND o.rev = ?)"
                      + " END"
                      + " FROM documents d WHERE d.id = ? AND d.head_rev >= ?"
                      + " ON CONFLICT (doc_id, rev) DO NOTHING")) {
            insert.setLong(1, revision);
            insert.setString(2, text);
            insert.setString(3, sha256);
            insert.setLong(4, revision);
            insert.setLong(5, revision);
            insert.setLong(6, revision);
            insert.setString(7, docId);
            insert.setLong(8, revision);
            if (insert.executeUpdate() == 1) {
              if (storesAuthorship(
                  revision - authorshipBelow(connection, docId, revision),
                  text.codePointCount(0, text.length()))) {
                storeAuthorship(
                    connection, docId, revision, authorshipAt(connection, docId, revision));
              }
              return read(connection, docId, revision).orElseThrow().info();
            }
          }
          OptionalLong head = OpLog.head(connection, docId);
          if (head.isEmpty()) {
            throw new DocumentNotFoundException(docId);
          }
          if (revision < 0 || revision > head.getAsLong()) {
            throw new RevisionOutOfRangeException(docId, revision, head.getAsLong());
          }
          CheckpointInfo existing = read(connection, docId, revision).orElseThrow().info();
          if (!existing.sha256().equals(sha256)) {
            throw new PersistenceException(
                "document '"
                    + docId
                    + "' already has a different checkpoint at revision "
                    + revision
                    + " (sha256 "
                    + existing.sha256()
                    + ", this text "
                    + sha256
                    + ")",
                docId,
                revision,
                null);
          }
          return existing;
        });
  }

  /** The checkpoint with the highest revision at or below {@code revision}. */
  public Optional<Checkpoint> nearestAtOrBelow(String docId, long revision) {
    return Jdbc.autoCommit(
        pool,
        "read checkpoint",
        docId,
        revision,
        connection -> nearestAtOrBelow(connection, docId, revision));
  }

  /** The checkpoint at exactly {@code revision}. */
  public Optional<Checkpoint> read(String docId, long revision) {
    return Jdbc.autoCommit(
        pool, "read checkpoint", docId, revision, connection -> read(connection, docId, revision));
  }

  /** The document's checkpoints without their text, by ascending revision. */
  public List<CheckpointInfo> list(String docId) {
    return Jdbc.autoCommit(
        pool,
        "list checkpoints",
        docId,
        null,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT doc_id, rev, sha256, created_at, chain FROM checkpoints"
                      + " WHERE doc_id = ? ORDER BY rev")) {
            select.setString(1, docId);
            List<CheckpointInfo> infos = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                infos.add(
                    new CheckpointInfo(
                        rows.getString("doc_id"),
                        rows.getLong("rev"),
                        rows.getString("sha256"),
                        Jdbc.instant(rows, "created_at"),
                        rows.getString("chain")));
              }
            }
            return infos;
          }
        });
  }

  /**
   * Deletes the checkpoint at {@code revision}; returns whether it did. The first checkpoint (at
   * revision 0, or where a pruned history starts) is the base of every replay and is never deleted:
   * revision 0 is refused, the start of a pruned history left alone ({@link Archive#prune} moves
   * it).
   */
  public boolean delete(String docId, long revision) {
    if (revision <= 0) {
      throw new IllegalArgumentException(
          "checkpoint revision : " + revision + " (expected: > 0; revision 0 is kept)");
    }
    return Jdbc.autoCommit(
        pool,
        "delete checkpoint",
        docId,
        revision,
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM checkpoints WHERE doc_id = ? AND rev = ?"
                      + " AND rev > (SELECT min(rev) FROM checkpoints WHERE doc_id = ?)")) {
            delete.setString(1, docId);
            delete.setLong(2, revision);
            delete.setString(3, docId);
            return delete.executeUpdate() == 1;
          }
        });
  }

  /**
   * At most how far apart checkpoints that store authorship are, which bounds a blame's replay.
   * Storing it reads the previous authorship and replays the ops since, in the checkpoint's
   * transaction, and writes one run per code point of a text edited by many: at every checkpoint
   * (each 1,000 revisions by default) that cost typists 500 a 3x PostgreSQL CPU per op (51 -> 157
   * us, ack p95 35 -> 186 ms); every 10,000 revisions, its 150,000-code-point text still cost 15
   * runs written per op, half of PostgreSQL's time in those runs (pg_stat_activity sampled every
   * 0.1 s, docs/performance.md). At 50,000 a long text's store costs at most 3 runs per op, and a
   * blame replays at most 51,000 ops.
   */
  static final long AUTHORSHIP_EVERY_REVISIONS = 50_000;

  /**
   * Whether a checkpoint stores its authorship, {@code since} revisions after the nearest one that
   * does, its text {@code codePoints} long. An authorship has at most one run per code point, so
   * storing it once the ops since the last outnumber the code points costs at most about one run
   * read and one written per op, however often that is: a short text (the 1,000,000-op recovery
   * document's 2,000 code points) stores it every few thousand revisions, so a blame replays no
   * more ops than the runs it reads anyway, and a long one (typists 500's, one run per code point)
   * every {@link #AUTHORSHIP_EVERY_REVISIONS}.
   */
  static boolean storesAuthorship(long since, int codePoints) {
    return since >= Math.min(AUTHORSHIP_EVERY_REVISIONS, codePoints);
  }

  /** The revision of the latest checkpoint below {@code revision} that stores authorship, or 0. */
  private static long authorshipBelow(Connection connection, String docId, long revision)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT coalesce(max(rev), 0) FROM checkpoints"
                + " WHERE doc_id = ? AND rev < ? AND authorship IS NOT NULL")) {
      select.setString(1, docId);
      select.setLong(2, revision);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  /**
   * Who last inserted each code point of the text at {@code revision}: the authorship stored with
   * the nearest checkpoint at or below it (or the first checkpoint, whose text has no known author)
   * plus a replay of the ops after it ({@link Authorship.Replay}), never the whole history.
   */
  static Authorship authorshipAt(Connection connection, String docId, long revision)
      throws SQLException {
    Authorship authorship;
    long at;
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT rev, char_length(content), authorship"
                + " FROM checkpoints"
                + " WHERE doc_id = ? AND rev <= ? AND (authorship IS NOT NULL"
                + " OR rev = (SELECT min(rev) FROM checkpoints WHERE doc_id = ?))"
                + " ORDER BY rev DESC LIMIT 1")) {
      select.setString(1, docId);
      select.setLong(2, revision);
      select.setString(3, docId);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          throw new RevisionPrunedException(docId, revision, OpLog.historyStart(connection, docId));
        }
        at = row.getLong(1);
        byte[] stored = row.getBytes(3);
        try {
          authorship =
              stored == null
                  ? Authorship.unknown(at, row.getInt(2)) // char_length counts code points
                  : Authorship.decode(stored);
        } catch (IllegalArgumentException e) {
          throw OpRange.inconsistent(docId, at, "its checkpoint's authorship: " + e.getMessage());
        }
      }
    }
    Authorship.Replay replay = authorship.replay();
    try (OpRange ops = OpRange.open(connection, docId, at, revision)) {
      while (ops.next()) {
        try {
          replay.apply(OperationJson.parse(ops.opJson()), ops.userId(), ops.revision());
        } catch (IllegalArgumentException e) { // the op's or its base length's
          throw ops.doesNotApply(e);
        }
      }
    }
    return replay.result();
  }

  /** Stores {@code authorship} with the checkpoint at {@code revision}. */
  static void storeAuthorship(
      Connection connection, String docId, long revision, Authorship authorship)
      throws SQLException {
    try (PreparedStatement update =
        connection.prepareStatement(
            "UPDATE checkpoints SET authorship = ? WHERE doc_id = ? AND rev = ?")) {
      update.setBytes(1, authorship.encode());
      update.setString(2, docId);
      update.setLong(3, revision);
      update.executeUpdate();
    }
  }

  static Optional<Checkpoint> nearestAtOrBelow(Connection connection, String docId, long revision)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT "
                + COLUMNS
                + " FROM checkpoints WHERE doc_id = ? AND rev <= ? ORDER BY rev DESC LIMIT 1")) {
      select.setString(1, docId);
      select.setLong(2, revision);
      return single(select);
    }
  }

  static Optional<Checkpoint> read(Connection connection, String docId, long revision)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT " + COLUMNS + " FROM checkpoints WHERE doc_id = ? AND rev = ?")) {
      select.setString(1, docId);
      select.setLong(2, revision);
      return single(select);
    }
  }

  private static Optional<Checkpoint> single(PreparedStatement select) throws SQLException {
    try (ResultSet row = select.executeQuery()) {
      if (!row.next()) {
        return Optional.empty();
      }
      return Optional.of(
          new Checkpoint(
              row.getString("doc_id"),
              row.getLong("rev"),
              row.getString("content"),
              row.getString("sha256"),
              Jdbc.instant(row, "created_at"),
              row.getString("chain")));
    }
  }
}
