package dev.tandem.persistence;

import dev.tandem.ot.InvalidOperationException;
import dev.tandem.ot.OperationJson;
import dev.tandem.ot.Rope;
import dev.tandem.ot.TextOperation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * The op log of every document: revisions 1, 2, 3 ... with no gap, each holding the op that made
 * it. The database refuses a second op at a revision and a second op with the same {@code (client,
 * seq)} in a document, whatever the caller does; {@link #append} also refuses a gap, so that the
 * text at revision N is always the initial text with ops 1..N applied. Thread-safe.
 */
public final class OpLog {
  /*
   * One autocommitted statement appends a whole batch: one round trip and one commit, whatever the
   * batch's size. The UPDATE advances each document's head from first - 1 to last (a
   * compare-and-set: of two appenders of the same revision, the second finds the head moved and
   * advances nothing); the ops of the documents that advanced are inserted; the final SELECT fails
   * the whole statement (SQLState TD001, db/migration V2) unless every document advanced, so a
   * batch is stored whole or not at all. The head arrays are sorted by document id, so concurrent
   * batches lock documents rows in one order.
   *
   * The same compare-and-set advances the head's hash: each op carries its HistoryChain hash,
   * computed here from the document's head hash, and the UPDATE matches that head hash too, so a
   * chain computed from a stale head stores nothing.
   *
   * The fence (db/migration V6): a document appended under a lease carries the epoch its node
   * holds, and the same compare-and-set matches the row's lease_epoch, so a node whose lease was
   * taken over stores nothing, in the same statement and row lock (no extra round trip). An epoch
   * of NULL (tools, tests) appends unfenced.
   *
   * It runs on its generic plan: the pool's connections use generic plans only (Database), since
   * once the tables have statistics the plan cache would price this one (which takes unnest(?) for
   * ten rows) above the custom plans of one-document groups and plan every append anew.
   */
  private static final String APPEND =
      "WITH heads AS ("
          + " UPDATE documents d"
          + " SET head_rev = h.last_rev, head_hash = h.last_hash, updated_at = now()"
          + " FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::bigint[])"
          + " AS h(doc_id, first_rev, last_rev, first_hash, last_hash, epoch)"
          + " WHERE d.id = h.doc_id AND d.head_rev = h.first_rev - 1"
          + " AND d.head_hash = h.first_hash"
          + " AND (h.epoch IS NULL OR d.lease_epoch = h.epoch)"
          + " RETURNING d.id),"
          + " inserted AS ("
          + " INSERT INTO operations"
          + " (doc_id, rev, op, client_id, client_seq, user_id, created_at, hash)"
          + " SELECT o.doc_id, o.rev, o.op, o.client_id, o.client_seq, o.user_id,"
          + " timestamptz 'epoch' + o.created_micros * interval '1 microsecond', o.hash"
          + " FROM unnest(?::text[], ?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::text[],"
          + " ?::bigint[], ?::text[])"
          + " AS o(doc_id, rev, op, client_id, client_seq, user_id, created_micros, hash)"
          + " WHERE o.doc_id IN (SELECT id FROM heads)"
          + " RETURNING 1)"
          + " SELECT tandem_require_heads_advanced((SELECT count(*) FROM heads), ?),"
          + " (SELECT count(*) FROM inserted)";

  /*
   * The same append for a group of one op, the commonest group (a lone editor's every op), with
   * scalar parameters: the same compare-and-set, fence and guard, and the insert takes the head's
   * new revision and hash from the UPDATE's RETURNING. Binding fourteen one-element arrays and
   * unnesting them cost the commit about 0.1 ms of the database's time and the committer's own
   * encoding of them (docs/performance.md, "A one-op group appended with scalar parameters").
   */
  private static final String APPEND_ONE =
      "WITH heads AS ("
          + " UPDATE documents d"
          + " SET head_rev = d.head_rev + 1, head_hash = ?::text, updated_at = now()"
          + " WHERE d.id = ?::text AND d.head_rev = ?::bigint - 1 AND d.head_hash = ?::text"
          + " AND d.lease_epoch = coalesce(?::bigint, d.lease_epoch)"
          + " RETURNING d.id, d.head_rev, d.head_hash),"
          + " inserted AS ("
          + " INSERT INTO operations"
          + " (doc_id, rev, op, client_id, client_seq, user_id, created_at, hash)"
          + " SELECT h.id, h.head_rev, ?::text, ?::text, ?::bigint, ?::text,"
          + " timestamptz 'epoch' + ?::bigint * interval '1 microsecond', h.head_hash"
          + " FROM heads h"
          + " RETURNING 1)"
          + " SELECT tandem_require_heads_advanced((SELECT count(*) FROM heads), 1),"
          + " (SELECT count(*) FROM inserted)";

  /** The SQLState tandem_require_heads_advanced raises. */
  private static final String HEADS_NOT_ADVANCED = "TD001";

  private static final String OP_COLUMNS =
      "doc_id, rev, op, client_id, client_seq, user_id, created_at";

  private final GuardedPool pool;
  private final ChainHeads chainHeads = new ChainHeads();

  OpLog(GuardedPool pool) {
    this.pool = pool;
  }

  /**
   * Creates a document at revision 0 with a checkpoint holding {@code initialText}.
   *
   * @throws DocumentExistsException if the id is taken (nothing is changed)
   * @throws UnstorableTextException if the text holds U+0000 or a lone surrogate
   * @throws IllegalArgumentException if the id is empty, longer than 200 code points or holds a
   *     control character
   */
  public DocumentSnapshot createDocument(String docId, String initialText) {
    Ids.requireDocId(docId);
    Objects.requireNonNull(initialText, "initialText");
    TextChecks.requireStorable(initialText, docId, 0L);
    String sha256 = TextChecks.sha256(initialText);
    String genesis = HistoryChain.genesis(sha256);
    Jdbc.autoCommit(
        pool,
        "create document",
        docId,
        0L,
        connection -> {
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "WITH d AS (INSERT INTO documents (id, head_hash) VALUES (?, ?) RETURNING id)"
                      + " INSERT INTO checkpoints (doc_id, rev, content, sha256, chain)"
                      + " SELECT id, 0, ?, ?, ? FROM d")) {
            insert.setString(1, docId);
            insert.setString(2, genesis);
            insert.setString(3, initialText);
            insert.setString(4, sha256);
            insert.setString(5, genesis);
            return insert.executeUpdate();
          }
        });
    return new DocumentSnapshot(docId, 0, initialText);
  }

  /**
   * The document's head revision and its text there (the latest checkpoint plus the ops after it),
   * read from one snapshot of the database; empty if there is no such document.
   */
  public Optional<DocumentSnapshot> loadDocument(String docId) {
    return Jdbc.inTransaction(
        pool,
        Connection.TRANSACTION_REPEATABLE_READ,
        "load document",
        docId,
        null,
        connection -> {
          connection.setReadOnly(true);
          OptionalLong head = head(connection, docId);
          if (head.isEmpty()) {
            return Optional.empty();
          }
          return Optional.of(replay(connection, docId, head.getAsLong()));
        });
  }

  /**
   * The text at {@code revision}: the nearest checkpoint at or below it plus the ops after it.
   *
   * @throws DocumentNotFoundException if there is no such document
   * @throws RevisionOutOfRangeException if {@code revision} is negative or past the head
   * @throws RevisionPrunedException if {@code revision} is below the pruned history's start
   */
  public DocumentSnapshot textAt(String docId, long revision) {
    return Jdbc.inTransaction(
        pool,
        Connection.TRANSACTION_REPEATABLE_READ,
        "read text",
        docId,
        revision,
        connection -> {
          connection.setReadOnly(true);
          long head = head(connection, docId).orElseThrow(() -> notFound(docId));
          if (revision < 0 || revision > head) {
            throw new RevisionOutOfRangeException(docId, revision, head);
          }
          requireNotPruned(connection, docId, revision);
          return replay(connection, docId, revision);
        });
  }

  /** The document's head revision, or empty if there is no such document. */
  public OptionalLong head(String docId) {
    return Jdbc.autoCommit(pool, "read head", docId, null, connection -> head(connection, docId));
  }

  /**
   * Appends committed ops of any number of documents in one transaction: all of them or none. The
   * ops of each document must be consecutive revisions, in order, starting at its head + 1.
   *
   * <p>When the call returns, every op is durable (synchronous_commit is on). When it throws,
   * nothing was stored, with one exception: a {@link DatabaseUnavailableException} raised while
   * committing leaves the outcome unknown; appending the batch again then fails with {@link
   * DuplicateRevisionException} if the first attempt did commit, and {@link #findBySeq} tells.
   *
   * @throws DuplicateRevisionException if a document already has an op at one of the revisions
   * @throws RevisionGapException if a document's first revision is past its head + 1
   * @throws DuplicateSubmitException if a document already has an op with one of the {@code
   *     (client, seq)}
   * @throws DocumentNotFoundException if a document does not exist
   * @throws UnstorableTextException if an insert holds U+0000
   * @throws IllegalArgumentException if the batch itself is inconsistent (a document's revisions
   *     out of order or with a gap, one {@code (client, seq)} twice)
   */
  public void append(List<StoredOp> ops) {
    append(ops, Map.of());
  }

  /**
   * As {@link #append(List)}, fenced: each document in {@code epochs} is stored only if its lease
   * is still at that epoch (documents not in it are not fenced).
   *
   * @throws LeaseLostException if a document's lease moved to another epoch (nothing is stored)
   */
  public void append(List<StoredOp> ops, Map<String, Long> epochs) {
    if (ops.isEmpty()) {
      return;
    }
    Map<String, List<StoredOp>> byDocument = byDocument(ops);
    int documents = byDocument.size();
    String[] headDocs = new String[documents];
    Long[] firstRevisions = new Long[documents];
    Long[] lastRevisions = new Long[documents];
    Long[] heldEpochs = new Long[documents];
    String[] firstHashes = chainHeads.before(pool, byDocument);
    String[] lastHashes = new String[documents];
    int size = ops.size();
    String[] docIds = new String[size];
    Long[] revisions = new Long[size];
    String[] jsons = new String[size];
    String[] clientIds = new String[size];
    Long[] seqs = new Long[size];
    String[] userIds = new String[size];
    Long[] micros = new Long[size];
    String[] hashes = new String[size];
    int d = 0;
    int i = 0;
    for (Map.Entry<String, List<StoredOp>> document : byDocument.entrySet()) {
      List<StoredOp> documentOps = document.getValue();
      headDocs[d] = document.getKey();
      firstRevisions[d] = documentOps.get(0).revision();
      lastRevisions[d] = documentOps.get(documentOps.size() - 1).revision();
      heldEpochs[d] = epochs.get(document.getKey());
      String hash = firstHashes[d];
      for (StoredOp op : documentOps) {
        docIds[i] = op.docId();
        revisions[i] = op.revision();
        jsons[i] = OperationJson.toJson(op.op());
        clientIds[i] = op.clientId();
        seqs[i] = op.clientSeq();
        userIds[i] = op.userId();
        micros[i] = ChronoUnit.MICROS.between(Instant.EPOCH, op.createdAt());
        hash =
            HistoryChain.next(
                hash, op.revision(), op.clientId(), op.clientSeq(), op.userId(), jsons[i]);
        hashes[i] = hash;
        i++;
      }
      lastHashes[d] = hash;
      d++;
    }
    StoredOp first = ops.get(0);
    Jdbc.autoCommit(
        pool,
        "append " + size + " ops",
        first.docId(),
        first.revision(),
        connection -> {
          try (PreparedStatement append =
              connection.prepareStatement(size == 1 ? APPEND_ONE : APPEND)) {
            if (size == 1) {
              append.setString(1, hashes[0]);
              append.setString(2, first.docId());
              append.setLong(3, first.revision());
              append.setString(4, firstHashes[0]);
              append.setObject(5, heldEpochs[0], Types.BIGINT);
              append.setString(6, jsons[0]);
              append.setString(7, first.clientId());
              append.setLong(8, first.clientSeq());
              append.setString(9, first.userId());
              append.setLong(10, micros[0]);
            } else {
              append.setArray(1, connection.createArrayOf("text", headDocs));
              append.setArray(2, connection.createArrayOf("bigint", firstRevisions));
              append.setArray(3, connection.createArrayOf("bigint", lastRevisions));
              append.setArray(4, connection.createArrayOf("text", firstHashes));
              append.setArray(5, connection.createArrayOf("text", lastHashes));
              append.setArray(6, connection.createArrayOf("bigint", heldEpochs));
              append.setArray(7, connection.createArrayOf("text", docIds));
              append.setArray(8, connection.createArrayOf("bigint", revisions));
              append.setArray(9, connection.createArrayOf("text", jsons));
              append.setArray(10, connection.createArrayOf("text", clientIds));
              append.setArray(11, connection.createArrayOf("bigint", seqs));
              append.setArray(12, connection.createArrayOf("text", userIds));
              append.setArray(13, connection.createArrayOf("bigint", micros));
              append.setArray(14, connection.createArrayOf("text", hashes));
              append.setLong(15, documents);
            }
            append.executeQuery().close();
            chainHeads.advanced(headDocs, lastRevisions, lastHashes);
            return null;
          } catch (SQLException e) {
            chainHeads.forget(headDocs);
            // The statement failed whole; what is read now is the committed state.
            if (HEADS_NOT_ADVANCED.equals(e.getSQLState())) {
              throw headConflict(connection, byDocument, epochs, e);
            }
            if ("23505".equals(e.getSQLState())
                && "operations_client_seq_key".equals(SqlErrors.constraint(e))) {
              throw duplicateSubmit(connection, ops, e);
            }
            throw e;
          }
        });
  }

  /**
   * The op a client sent with {@code seq} in the document, if it is stored. An op that was pruned
   * is still found, as far as it can be: when {@code seq} is at most the client's highest pruned
   * seq, the answer is {@link StoredOp#pruned a stand-in} at the revision of that client's last
   * pruned op, at or below {@link #historyStart} (the op itself is gone), so a resubmit of it is
   * never applied again.
   */
  public Optional<StoredOp> findBySeq(String docId, String clientId, long seq) {
    return Jdbc.autoCommit(
        pool,
        "find op by seq",
        docId,
        null,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT "
                      + OP_COLUMNS
                      + " FROM operations WHERE doc_id = ? AND client_id = ? AND client_seq = ?")) {
            select.setString(1, docId);
            select.setString(2, clientId);
            select.setLong(3, seq);
            try (ResultSet row = select.executeQuery()) {
              if (row.next()) {
                return Optional.of(storedOp(row));
              }
            }
          }
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT rev, user_id FROM pruned_clients"
                      + " WHERE doc_id = ? AND client_id = ? AND seq >= ?")) {
            select.setString(1, docId);
            select.setString(2, clientId);
            select.setLong(3, seq);
            try (ResultSet row = select.executeQuery()) {
              return row.next()
                  ? Optional.of(
                      StoredOp.pruned(docId, row.getLong(1), clientId, seq, row.getString(2)))
                  : Optional.empty();
            }
          }
        });
  }

  /**
   * The highest seq of {@code clientId} committed in the document at or below revision {@code
   * atOrBelow}, pruned ops included; empty if it committed none there. After a resync it tells a
   * client whether its op in flight landed.
   */
  public OptionalLong lastSeq(String docId, String clientId, long atOrBelow) {
    return Jdbc.autoCommit(
        pool,
        "find last seq",
        docId,
        null,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT greatest((SELECT max(client_seq) FROM operations"
                      + " WHERE doc_id = ? AND client_id = ? AND rev <= ?),"
                      + " (SELECT seq FROM pruned_clients WHERE doc_id = ? AND client_id = ?))")) {
            select.setString(1, docId);
            select.setString(2, clientId);
            select.setLong(3, atOrBelow);
            select.setString(4, docId);
            select.setString(5, clientId);
            try (ResultSet row = select.executeQuery()) {
              row.next();
              long seq = row.getLong(1);
              return row.wasNull() ? OptionalLong.empty() : OptionalLong.of(seq);
            }
          }
        });
  }

  /**
   * The first revision the document's history holds: its first checkpoint's, 0 unless it was
   * pruned. Empty if there is no such document.
   */
  public OptionalLong historyStart(String docId) {
    return Jdbc.autoCommit(
        pool,
        "read history start",
        docId,
        null,
        connection ->
            head(connection, docId).isEmpty()
                ? OptionalLong.empty()
                : OptionalLong.of(historyStart(connection, docId)));
  }

  /** The first checkpoint's revision: where the (possibly pruned) history starts. */
  static long historyStart(Connection connection, String docId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT coalesce(min(rev), 0) FROM checkpoints WHERE doc_id = ?")) {
      select.setString(1, docId);
      try (ResultSet row = select.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  /**
   * @throws RevisionPrunedException if {@code revision} is below where the history starts
   */
  static void requireNotPruned(Connection connection, String docId, long revision)
      throws SQLException {
    long start = historyStart(connection, docId);
    if (revision < start) {
      throw new RevisionPrunedException(docId, revision, start);
    }
  }

  /**
   * At most {@code limit} ops of the document from revision {@code fromRevision} on, in revision
   * order; empty past the head or if there is no such document.
   */
  public List<StoredOp> readRange(String docId, long fromRevision, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit : " + limit + " (expected: >= 0)");
    }
    return Jdbc.autoCommit(
        pool,
        "read ops",
        docId,
        fromRevision,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT "
                      + OP_COLUMNS
                      + " FROM operations WHERE doc_id = ? AND rev >= ? ORDER BY rev LIMIT ?")) {
            select.setString(1, docId);
            select.setLong(2, fromRevision);
            select.setInt(3, limit);
            List<StoredOp> result = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                result.add(storedOp(rows));
              }
            }
            return result;
          }
        });
  }

  /**
   * At most {@code limit} documents whose ids sort after {@code afterId} (null: from the start), in
   * id order: a page of all documents, the next page starting after the last id.
   */
  public List<DocumentInfo> listDocuments(String afterId, int limit) {
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
                  "SELECT id, head_rev, created_at, updated_at FROM documents"
                      + " WHERE id > ? ORDER BY id LIMIT ?")) {
            select.setString(1, afterId == null ? "" : afterId);
            select.setInt(2, limit);
            List<DocumentInfo> result = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                result.add(
                    new DocumentInfo(
                        rows.getString("id"),
                        rows.getLong("head_rev"),
                        Jdbc.instant(rows, "created_at"),
                        Jdbc.instant(rows, "updated_at")));
              }
            }
            return result;
          }
        });
  }

  /** After a document was deleted or imported by {@link Archive}: its chain head is read again. */
  void forgetChainHead(String docId) {
    chainHeads.forget(docId);
  }

  static OptionalLong head(Connection connection, String docId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT head_rev FROM documents WHERE id = ?")) {
      select.setString(1, docId);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  private static OptionalLong leaseEpoch(Connection connection, String docId) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement("SELECT lease_epoch FROM documents WHERE id = ?")) {
      select.setString(1, docId);
      try (ResultSet row = select.executeQuery()) {
        return row.next() ? OptionalLong.of(row.getLong(1)) : OptionalLong.empty();
      }
    }
  }

  /** The text at {@code revision} (at most the head): nearest checkpoint, then the ops after it. */
  static DocumentSnapshot replay(Connection connection, String docId, long revision)
      throws SQLException {
    Checkpoint base =
        CheckpointStore.nearestAtOrBelow(connection, docId, revision)
            .orElseThrow(
                () -> OpRange.inconsistent(docId, 0, "it has no checkpoint at revision 0"));
    if (!base.verify()) {
      throw OpRange.inconsistent(
          docId,
          base.revision(),
          "its checkpoint's text does not match its SHA-256 " + base.sha256());
    }
    Rope text = Rope.of(base.text()); // O(op + log n) per op, so a long replay stays linear
    try (OpRange ops = OpRange.open(connection, docId, base.revision(), revision)) {
      while (ops.next()) {
        try {
          text = text.apply(OperationJson.parse(ops.opJson()));
        } catch (InvalidOperationException e) {
          throw ops.doesNotApply(e);
        }
      }
    }
    return new DocumentSnapshot(docId, revision, text.toString());
  }

  /** Groups a batch by document in id order, checking that each document's part is consistent. */
  private static Map<String, List<StoredOp>> byDocument(List<StoredOp> ops) {
    Map<String, List<StoredOp>> byDocument = new TreeMap<>();
    for (StoredOp op : ops) {
      TextChecks.requireStorable(op);
      List<StoredOp> documentOps = byDocument.computeIfAbsent(op.docId(), id -> new ArrayList<>());
      if (!documentOps.isEmpty()) {
        long previous = documentOps.get(documentOps.size() - 1).revision();
        if (op.revision() != previous + 1) {
          throw new IllegalArgumentException(
              "batch holds revision "
                  + op.revision()
                  + " of document '"
                  + op.docId()
                  + "' after revision "
                  + previous
                  + " (expected: "
                  + (previous + 1)
                  + ")");
        }
      }
      documentOps.add(op);
    }
    for (List<StoredOp> documentOps : byDocument.values()) {
      Set<String> submits = new HashSet<>();
      for (StoredOp op : documentOps) {
        if (!submits.add(op.clientId() + '\0' + op.clientSeq())) {
          throw new IllegalArgumentException(
              "batch holds client '"
                  + op.clientId()
                  + "' seq "
                  + op.clientSeq()
                  + " twice in document '"
                  + op.docId()
                  + "'");
        }
      }
    }
    return byDocument;
  }

  /** Why some document's head did not advance: it is missing, already past, or short of it. */
  private static PersistenceException headConflict(
      Connection connection,
      Map<String, List<StoredOp>> byDocument,
      Map<String, Long> epochs,
      SQLException cause)
      throws SQLException {
    for (Map.Entry<String, Long> held : epochs.entrySet()) { // the fence first: it says why
      if (byDocument.containsKey(held.getKey())) {
        OptionalLong epoch = leaseEpoch(connection, held.getKey());
        if (epoch.isPresent() && epoch.getAsLong() != held.getValue()) {
          return new LeaseLostException(held.getKey(), held.getValue(), epoch.getAsLong(), cause);
        }
      }
    }
    for (Map.Entry<String, List<StoredOp>> document : byDocument.entrySet()) {
      String docId = document.getKey();
      long first = document.getValue().get(0).revision();
      OptionalLong head = head(connection, docId);
      if (head.isEmpty()) {
        return new DocumentNotFoundException(docId);
      }
      if (head.getAsLong() >= first) {
        return new DuplicateRevisionException(docId, first, cause);
      }
      if (head.getAsLong() < first - 1) {
        return new RevisionGapException(docId, first, head.getAsLong());
      }
    }
    // Every head matches now: it moved while we looked, so another writer is active; say so.
    StoredOp first = byDocument.values().iterator().next().get(0);
    return new DuplicateRevisionException(first.docId(), first.revision(), cause);
  }

  /** Which op of the (failed) batch was already stored with its (client, seq). */
  private static PersistenceException duplicateSubmit(
      Connection connection, List<StoredOp> ops, SQLException cause) throws SQLException {
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT 1 FROM operations WHERE doc_id = ? AND client_id = ? AND client_seq = ?")) {
      for (StoredOp op : ops) {
        select.setString(1, op.docId());
        select.setString(2, op.clientId());
        select.setLong(3, op.clientSeq());
        try (ResultSet row = select.executeQuery()) {
          if (row.next()) {
            return new DuplicateSubmitException(
                op.docId(), op.revision(), op.clientId(), op.clientSeq(), cause);
          }
        }
      }
    }
    StoredOp first = ops.get(0);
    return new DuplicateSubmitException(
        first.docId(), first.revision(), first.clientId(), first.clientSeq(), cause);
  }

  private static StoredOp storedOp(ResultSet row) throws SQLException {
    TextOperation op = OperationJson.parse(row.getString("op"));
    return new StoredOp(
        row.getString("doc_id"),
        row.getLong("rev"),
        op,
        row.getString("client_id"),
        row.getLong("client_seq"),
        row.getString("user_id"),
        Jdbc.instant(row, "created_at"));
  }

  private static DocumentNotFoundException notFound(String docId) {
    return new DocumentNotFoundException(docId);
  }
}
