package dev.tandem.persistence;

import dev.tandem.ot.InvalidOperationException;
import dev.tandem.ot.OperationJson;
import dev.tandem.ot.TextOperation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Whole documents and their history, for the {@code tandem} command and the admin REST calls:
 * export a document's history (its checkpoints and every op with its hash) to an {@link
 * ArchiveVisitor}, verify it, import one, delete one, list documents with their sizes, find the
 * revision at a time. Reads see one snapshot of the database; an import is one transaction that
 * stores nothing unless the whole history verifies. Thread-safe.
 */
public final class Archive {
  /** The last op at or before a time: the plan {@code HistoryQueriesTest} checks uses the index. */
  static final String REVISION_AT =
      "SELECT rev FROM operations WHERE doc_id = ? AND created_at <= ?"
          + " ORDER BY created_at DESC, rev DESC LIMIT 1";

  /** Ops per insert statement of an import. */
  private static final int IMPORT_BATCH = 2000;

  private final GuardedPool pool;
  private final OpLog opLog;
  private final CheckpointStore checkpoints;
  private final StatementAllowance allowance;

  Archive(
      GuardedPool pool, OpLog opLog, CheckpointStore checkpoints, StatementAllowance allowance) {
    this.pool = pool;
    this.opLog = opLog;
    this.checkpoints = checkpoints;
    this.allowance = allowance;
  }

  /**
   * Writes a checkpoint at {@code revision} (at most the head) from a replay; writing one that
   * exists is a no-op.
   *
   * @throws DocumentNotFoundException if there is no such document
   * @throws RevisionOutOfRangeException if {@code revision} is negative or past the head
   */
  public CheckpointInfo checkpointAt(String docId, long revision) {
    return checkpoints.write(docId, revision, opLog.textAt(docId, revision).text());
  }

  /** What {@link #prune} did. */
  public record PruneSummary(String docId, long start, long opsRemoved, long checkpointsRemoved) {}

  /**
   * Prunes the document's history before revision {@code before}: keeps a checkpoint at it (written
   * from a replay if there is none, with its chain hash and authorship), deletes the ops 1 to
   * {@code before} and the checkpoints below it, and remembers each client's highest pruned seq, so
   * that a resubmit of a pruned op is still recognised. One transaction, whose statements have the
   * {@link StatementAllowance} for the ops it removes; the document's row is locked meanwhile, so
   * appends wait. Pruning at or below where the history starts changes nothing. The document's
   * text, head and chain are unchanged; {@link #verify} then starts at {@code before}.
   *
   * @throws DocumentNotFoundException if there is no such document
   * @throws RevisionOutOfRangeException if {@code before} is negative or past the head
   */
  public PruneSummary prune(String docId, long before) {
    PruneSummary summary =
        Jdbc.inTransaction(
            pool,
            Connection.TRANSACTION_READ_COMMITTED,
            "prune",
            docId,
            before,
            connection -> {
              long head =
                  lockHead(connection, docId)
                      .orElseThrow(() -> new DocumentNotFoundException(docId));
              if (before < 0 || before > head) {
                throw new RevisionOutOfRangeException(docId, before, head);
              }
              long start = OpLog.historyStart(connection, docId);
              if (before <= start) {
                return new PruneSummary(docId, start, 0, 0);
              }
              allowance.extend(connection, before - start);
              if (CheckpointStore.read(connection, docId, before).isEmpty()) {
                writeCheckpoint(connection, OpLog.replay(connection, docId, before));
              }
              CheckpointStore.storeAuthorship(
                  connection,
                  docId,
                  before,
                  CheckpointStore.authorshipAt(connection, docId, before));
              update( // before the ops go: each client's highest seq among them
                  connection,
                  "INSERT INTO pruned_clients (doc_id, client_id, seq, rev, user_id)"
                      + " SELECT DISTINCT ON (client_id) doc_id, client_id, client_seq, rev,"
                      + " user_id FROM operations WHERE doc_id = ? AND rev <= ?"
                      + " ORDER BY client_id, client_seq DESC"
                      + " ON CONFLICT (doc_id, client_id) DO UPDATE"
                      + " SET seq = excluded.seq, rev = excluded.rev, user_id = excluded.user_id"
                      + " WHERE excluded.seq > pruned_clients.seq",
                  docId,
                  before);
              long ops =
                  update(
                      connection,
                      "DELETE FROM operations WHERE doc_id = ? AND rev <= ?",
                      docId,
                      before);
              long checkpoints =
                  update(
                      connection,
                      "DELETE FROM checkpoints WHERE doc_id = ? AND rev < ?",
                      docId,
                      before);
              return new PruneSummary(docId, before, ops, checkpoints);
            });
    opLog.forgetChainHead(docId);
    return summary;
  }

  /**
   * Who last inserted each code point of the text at {@code revision}: runs in text order, from the
   * nearest checkpoint's stored authorship plus a replay of the ops after it.
   *
   * @throws DocumentNotFoundException if there is no such document
   * @throws RevisionOutOfRangeException if {@code revision} is negative or past the head
   * @throws RevisionPrunedException if {@code revision} is below the pruned history's start
   */
  public List<AuthorRun> blame(String docId, long revision) {
    return Jdbc.inTransaction(
        pool,
        Connection.TRANSACTION_REPEATABLE_READ,
        "blame",
        docId,
        revision,
        connection -> {
          connection.setReadOnly(true);
          long head =
              OpLog.head(connection, docId).orElseThrow(() -> new DocumentNotFoundException(docId));
          if (revision < 0 || revision > head) {
            throw new RevisionOutOfRangeException(docId, revision, head);
          }
          OpLog.requireNotPruned(connection, docId, revision);
          return CheckpointStore.authorshipAt(connection, docId, revision).runs();
        });
  }

  private static void writeCheckpoint(Connection connection, DocumentSnapshot snapshot)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO checkpoints (doc_id, rev, content, sha256, chain)"
                + " SELECT doc_id, rev, ?, ?, hash FROM operations WHERE doc_id = ? AND rev = ?")) {
      insert.setString(1, snapshot.text());
      insert.setString(2, TextChecks.sha256(snapshot.text()));
      insert.setString(3, snapshot.docId());
      insert.setLong(4, snapshot.revision());
      insert.executeUpdate();
    }
  }

  /** Runs a statement on a document and a revision; returns the rows it changed. */
  private static long update(Connection connection, String sql, String docId, long revision)
      throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(sql)) {
      update.setString(1, docId);
      update.setLong(2, revision);
      return update.executeUpdate();
    }
  }

  /**
   * Gives the document's history to {@code visitor}: from its first checkpoint on, every op and
   * checkpoint in revision order, read from one snapshot of the database.
   *
   * @throws DocumentNotFoundException if there is no such document
   */
  public void export(String docId, ArchiveVisitor visitor) {
    Jdbc.inTransaction(
        pool,
        Connection.TRANSACTION_REPEATABLE_READ,
        "export",
        docId,
        null,
        connection -> {
          connection.setReadOnly(true);
          visitor.header(header(connection, docId));
          for (PrunedClient client : prunedClients(connection, docId)) {
            visitor.prunedClient(client);
          }
          List<ArchivedCheckpoint> checkpoints = checkpoints(connection, docId);
          if (checkpoints.isEmpty()) {
            visitor.end(0); // the visitor says what is missing
            return null;
          }
          int next = 0;
          visitor.checkpoint(checkpoints.get(next++));
          long ops = 0;
          try (PreparedStatement select =
              Jdbc.streaming(
                  connection,
                  "SELECT rev, op, client_id, client_seq, user_id, created_at, hash"
                      + " FROM operations WHERE doc_id = ? AND rev > ? ORDER BY rev")) {
            select.setString(1, docId);
            select.setLong(2, checkpoints.get(0).revision());
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                ArchivedOp op = archivedOp(rows);
                while (next < checkpoints.size()
                    && checkpoints.get(next).revision() < op.revision()) {
                  visitor.checkpoint(checkpoints.get(next++));
                }
                visitor.op(op);
                ops++;
              }
            }
          }
          while (next < checkpoints.size()) {
            visitor.checkpoint(checkpoints.get(next++));
          }
          visitor.end(ops);
          return null;
        });
  }

  /**
   * The ops after revision {@code from} up to {@code to} composed into one: the op that turns the
   * text at {@code from} into the text at {@code to} (a no-op when they are equal).
   *
   * @throws DocumentNotFoundException if there is no such document
   * @throws RevisionOutOfRangeException unless both are from 0 to the head
   * @throws RevisionPrunedException if {@code from} is below the pruned history's start
   * @throws IllegalArgumentException if {@code to} is before {@code from}
   */
  public TextOperation diff(String docId, long from, long to) {
    return Jdbc.inTransaction(
        pool,
        Connection.TRANSACTION_REPEATABLE_READ,
        "diff",
        docId,
        from,
        connection -> {
          connection.setReadOnly(true);
          long head =
              OpLog.head(connection, docId).orElseThrow(() -> new DocumentNotFoundException(docId));
          if (from < 0 || from > head) {
            throw new RevisionOutOfRangeException(docId, from, head);
          }
          if (to > head) {
            throw new RevisionOutOfRangeException(docId, to, head);
          }
          if (to < from) {
            throw new IllegalArgumentException(
                "to " + to + " is before from " + from + " (expected: from <= to)");
          }
          OpLog.requireNotPruned(connection, docId, from);
          TextOperation composed = null;
          try (OpRange ops = OpRange.open(connection, docId, from, to)) {
            while (ops.next()) {
              try {
                TextOperation op = OperationJson.parse(ops.opJson());
                composed = composed == null ? op : composed.compose(op);
              } catch (InvalidOperationException e) {
                throw ops.doesNotApply(e);
              }
            }
          }
          if (composed == null) { // from == to: the identity on the text there
            String text = opLog.textAt(docId, from).text();
            int length = text.codePointCount(0, text.length());
            return length == 0
                ? TextOperation.builder().build()
                : TextOperation.builder().retain(length).build();
          }
          return composed;
        });
  }

  /**
   * At most {@code limit} ops of the document from revision {@code from} on, with their hashes, in
   * revision order; empty past the head or if there is no such document.
   *
   * @throws RevisionPrunedException if the op at {@code from} was pruned
   */
  public List<ArchivedOp> ops(String docId, long from, int limit) {
    return Jdbc.autoCommit(
        pool,
        "read ops",
        docId,
        from,
        connection -> {
          OpLog.requireNotPruned(connection, docId, from - 1); // op N needs the text at N - 1
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT rev, op, client_id, client_seq, user_id, created_at, hash"
                      + " FROM operations WHERE doc_id = ? AND rev >= ? ORDER BY rev LIMIT ?")) {
            select.setString(1, docId);
            select.setLong(2, from);
            select.setInt(3, limit);
            List<ArchivedOp> page = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                page.add(archivedOp(rows));
              }
            }
            return page;
          }
        });
  }

  /**
   * Replays the document's history from its first checkpoint and checks it (see {@link
   * HistoryVerifier}).
   *
   * @throws HistoryMismatchException naming the first bad revision
   * @throws DocumentNotFoundException if there is no such document
   */
  public HistoryVerifier.Summary verify(String docId) {
    HistoryVerifier verifier = new HistoryVerifier();
    export(docId, verifier);
    return verifier.summary();
  }

  /**
   * Stores a whole document, as {@code source} gives it to the visitor it is handed: its header,
   * then its history in order. Verifies it as it goes; stores nothing unless all of it verifies and
   * the id is free. The op log's group commit is not involved: the document must not be in use (a
   * new id is in use by nobody).
   *
   * @throws DocumentExistsException if the id is taken
   * @throws HistoryMismatchException if the history does not verify
   */
  public HistoryVerifier.Summary importDocument(Consumer<ArchiveVisitor> source) {
    HistoryVerifier verifier = new HistoryVerifier();
    String[] docId = new String[1];
    Jdbc.inTransaction(
        pool,
        Connection.TRANSACTION_READ_COMMITTED,
        "import",
        null,
        null,
        connection -> {
          Importer importer = new Importer(connection, verifier, docId);
          source.accept(importer);
          if (!importer.ended) {
            throw new PersistenceException(
                "the history ended before its end", docId[0], null, null);
          }
          return null;
        });
    opLog.forgetChainHead(docId[0]);
    return verifier.summary();
  }

  /**
   * Deletes the document, its checkpoints and its ops; returns whether it existed. One transaction:
   * all of it goes or nothing does. Its statements have the {@link StatementAllowance} for the ops
   * it removes, so that a long history is deleted too. The document must not be in use.
   */
  public boolean delete(String docId) {
    boolean deleted =
        Jdbc.inTransaction(
            pool,
            Connection.TRANSACTION_READ_COMMITTED,
            "delete document",
            docId,
            null,
            connection -> {
              OptionalLong head = lockHead(connection, docId);
              if (head.isPresent()) {
                allowance.extend(
                    connection, head.getAsLong() - OpLog.historyStart(connection, docId));
              }
              try (PreparedStatement documents =
                      connection.prepareStatement("DELETE FROM documents WHERE id = ?");
                  PreparedStatement operations =
                      connection.prepareStatement("DELETE FROM operations WHERE doc_id = ?")) {
                documents.setString(1, docId); // checkpoints and pruned_clients cascade
                documents.executeUpdate();
                operations.setString(1, docId); // no foreign key since V3: by hand
                operations.executeUpdate();
                return head.isPresent();
              }
            });
    opLog.forgetChainHead(docId);
    return deleted;
  }

  /** The document's head, its row locked until the transaction ends; empty if there is none. */
  private static OptionalLong lockHead(Connection connection, String docId) throws SQLException {
    try (PreparedStatement lock =
        connection.prepareStatement("SELECT head_rev FROM documents WHERE id = ? FOR UPDATE")) {
      lock.setString(1, docId);
      try (ResultSet row = lock.executeQuery()) {
        return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  /**
   * The document's row: head, head hash and times.
   *
   * @throws DocumentNotFoundException if there is no such document
   */
  public ArchiveHeader header(String docId) {
    return Jdbc.autoCommit(
        pool, "read document", docId, null, connection -> header(connection, docId));
  }

  /** At most {@code limit} documents whose ids sort after {@code afterId} (null: the first). */
  public List<DocumentSummary> list(String afterId, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit : " + limit + " (expected: >= 0)");
    }
    return Jdbc.autoCommit(
        pool,
        "list documents",
        null,
        null,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT d.id, d.head_rev, d.created_at, d.updated_at, c.count, c.first"
                      + " FROM documents d, LATERAL (SELECT count(*) AS count, min(rev) AS first"
                      + " FROM checkpoints WHERE doc_id = d.id) c"
                      + " WHERE d.id > ? ORDER BY d.id LIMIT ?")) {
            select.setString(1, afterId == null ? "" : afterId);
            select.setInt(2, limit);
            List<DocumentSummary> page = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                long head = rows.getLong(2);
                page.add(
                    new DocumentSummary(
                        rows.getString(1),
                        head,
                        head - rows.getLong(6),
                        rows.getLong(5),
                        Jdbc.instant(rows, "created_at"),
                        Jdbc.instant(rows, "updated_at")));
              }
            }
            return page;
          }
        });
  }

  /**
   * The document's revision at {@code time}: that of its last op committed at or before it, 0 when
   * none was.
   *
   * @throws DocumentNotFoundException if there is no such document
   * @throws RevisionPrunedException if the history was pruned and no op kept is that old
   */
  public long revisionAt(String docId, Instant time) {
    return Jdbc.inTransaction(
        pool,
        Connection.TRANSACTION_REPEATABLE_READ,
        "find the revision at a time",
        docId,
        null,
        connection -> {
          connection.setReadOnly(true);
          OptionalLong head = OpLog.head(connection, docId);
          if (head.isEmpty()) {
            throw new DocumentNotFoundException(docId);
          }
          // One probe of operations_doc_time_idx (V5) from the end of the range, not a scan.
          try (PreparedStatement select = connection.prepareStatement(REVISION_AT)) {
            select.setString(1, docId);
            select.setObject(2, utc(time));
            try (ResultSet row = select.executeQuery()) {
              if (row.next()) {
                return row.getLong(1);
              }
            }
          }
          long start = OpLog.historyStart(connection, docId);
          if (start > 0) { // before every op kept: at or before the start, which is all we know
            throw new RevisionPrunedException(docId, start - 1, start);
          }
          return 0L;
        });
  }

  /** An op from a row of rev, op, client_id, client_seq, user_id, created_at, hash. */
  private static ArchivedOp archivedOp(ResultSet rows) throws SQLException {
    return new ArchivedOp(
        rows.getLong(1),
        rows.getString(2),
        rows.getString(3),
        rows.getLong(4),
        rows.getString(5),
        rows.getObject(6, OffsetDateTime.class).toInstant(),
        rows.getString(7));
  }

  private static OffsetDateTime utc(Instant time) {
    return OffsetDateTime.ofInstant(time, ZoneOffset.UTC);
  }

  private static ArchiveHeader header(Connection connection, String docId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT head_rev, head_hash, created_at, updated_at FROM documents WHERE id = ?")) {
      select.setString(1, docId);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          throw new DocumentNotFoundException(docId);
        }
        return new ArchiveHeader(
            docId,
            row.getLong(1),
            row.getString(2),
            Jdbc.instant(row, "created_at"),
            Jdbc.instant(row, "updated_at"));
      }
    }
  }

  private static List<PrunedClient> prunedClients(Connection connection, String docId)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT client_id, seq, rev, user_id FROM pruned_clients"
                + " WHERE doc_id = ? ORDER BY client_id")) {
      select.setString(1, docId);
      List<PrunedClient> clients = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          clients.add(
              new PrunedClient(
                  rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getString(4)));
        }
      }
      return clients;
    }
  }

  private static List<ArchivedCheckpoint> checkpoints(Connection connection, String docId)
      throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT rev, content, sha256, chain, created_at FROM checkpoints"
                + " WHERE doc_id = ? ORDER BY rev")) {
      select.setString(1, docId);
      List<ArchivedCheckpoint> checkpoints = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          checkpoints.add(
              new ArchivedCheckpoint(
                  rows.getLong(1),
                  rows.getString(2),
                  rows.getString(3),
                  rows.getString(4),
                  Jdbc.instant(rows, "created_at")));
        }
      }
      return checkpoints;
    }
  }

  /** Writes what it is given inside the import's transaction, after the verifier saw it. */
  private static final class Importer implements ArchiveVisitor {
    private final Connection connection;
    private final HistoryVerifier verifier;
    private final String[] docId;
    private final List<ArchivedOp> pending = new ArrayList<>();
    private boolean ended;

    Importer(Connection connection, HistoryVerifier verifier, String[] docId) {
      this.connection = connection;
      this.verifier = verifier;
      this.docId = docId;
    }

    @Override
    public void header(ArchiveHeader header) {
      Ids.requireDocId(header.docId());
      verifier.header(header);
      docId[0] = header.docId();
      run(
          () -> {
            try (PreparedStatement insert =
                connection.prepareStatement(
                    "INSERT INTO documents (id, head_rev, head_hash, created_at, updated_at)"
                        + " VALUES (?, ?, ?, ?, ?)")) {
              insert.setString(1, header.docId());
              insert.setLong(2, header.head());
              insert.setString(3, header.headHash());
              insert.setObject(4, utc(header.createdAt()));
              insert.setObject(5, utc(header.updatedAt()));
              insert.executeUpdate();
            }
          });
    }

    @Override
    public void prunedClient(PrunedClient client) {
      Ids.requireClientId(client.clientId());
      Ids.requireUserId(client.userId());
      verifier.prunedClient(client);
      run(
          () -> {
            try (PreparedStatement insert =
                connection.prepareStatement(
                    "INSERT INTO pruned_clients (doc_id, client_id, seq, rev, user_id)"
                        + " VALUES (?, ?, ?, ?, ?)")) {
              insert.setString(1, docId[0]);
              insert.setString(2, client.clientId());
              insert.setLong(3, client.seq());
              insert.setLong(4, client.revision());
              insert.setString(5, client.userId());
              insert.executeUpdate();
            }
          });
    }

    @Override
    public void checkpoint(ArchivedCheckpoint checkpoint) {
      TextChecks.requireStorable(checkpoint.text(), docId[0], checkpoint.revision());
      verifier.checkpoint(checkpoint);
      run(
          () -> {
            try (PreparedStatement insert =
                connection.prepareStatement(
                    "INSERT INTO checkpoints (doc_id, rev, content, sha256, chain, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?)")) {
              insert.setString(1, docId[0]);
              insert.setLong(2, checkpoint.revision());
              insert.setString(3, checkpoint.text());
              insert.setString(4, checkpoint.sha256());
              insert.setString(5, checkpoint.chain());
              insert.setObject(6, utc(checkpoint.createdAt()));
              insert.executeUpdate();
            }
          });
    }

    @Override
    public void op(ArchivedOp op) {
      Ids.requireClientId(op.clientId());
      Ids.requireUserId(op.userId());
      verifier.op(op);
      pending.add(op);
      if (pending.size() >= IMPORT_BATCH) {
        flush();
      }
    }

    @Override
    public void end(long ops) {
      verifier.end(ops);
      flush();
      ended = true;
    }

    private void flush() {
      if (pending.isEmpty()) {
        return;
      }
      int size = pending.size();
      Long[] revisions = new Long[size];
      String[] jsons = new String[size];
      String[] clientIds = new String[size];
      Long[] seqs = new Long[size];
      String[] userIds = new String[size];
      String[] times = new String[size];
      String[] hashes = new String[size];
      for (int i = 0; i < size; i++) {
        ArchivedOp op = pending.get(i);
        revisions[i] = op.revision();
        jsons[i] = op.opJson();
        clientIds[i] = op.clientId();
        seqs[i] = op.clientSeq();
        userIds[i] = op.userId();
        times[i] = op.createdAt().toString();
        hashes[i] = op.hash();
      }
      run(
          () -> {
            try (PreparedStatement insert =
                connection.prepareStatement(
                    "INSERT INTO operations"
                        + " (doc_id, rev, op, client_id, client_seq, user_id, created_at, hash)"
                        + " SELECT ?, o.rev, o.op, o.client_id, o.client_seq, o.user_id,"
                        + " o.created_at::timestamptz, o.hash"
                        + " FROM unnest(?::bigint[], ?::text[], ?::text[], ?::bigint[],"
                        + " ?::text[], ?::text[], ?::text[])"
                        + " AS o(rev, op, client_id, client_seq, user_id, created_at, hash)")) {
              insert.setString(1, docId[0]);
              insert.setArray(2, connection.createArrayOf("bigint", revisions));
              insert.setArray(3, connection.createArrayOf("text", jsons));
              insert.setArray(4, connection.createArrayOf("text", clientIds));
              insert.setArray(5, connection.createArrayOf("bigint", seqs));
              insert.setArray(6, connection.createArrayOf("text", userIds));
              insert.setArray(7, connection.createArrayOf("text", times));
              insert.setArray(8, connection.createArrayOf("text", hashes));
              insert.executeUpdate();
            }
          });
      pending.clear();
    }

    /** SQL inside a visitor call: its failure leaves as the translated exception. */
    private void run(SqlWork work) {
      try {
        work.run();
      } catch (SQLException e) {
        throw SqlErrors.translate(e, "import", docId[0], null);
      }
    }
  }

  @FunctionalInterface
  private interface SqlWork {
    void run() throws SQLException;
  }
}
