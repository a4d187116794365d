package dev.tandem.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The stored ops of a document after one revision up to another, read one at a time in revision
 * order by one {@link Jdbc#streaming} select: the one place that reads a stretch of history to
 * replay it (the text, the authorship, a diff), so that a missing op or one that does not apply is
 * reported the same way by all of them. An export does not use it: it carries whatever is stored,
 * for {@link HistoryVerifier} to judge. Use inside a transaction (the rows are streamed); not
 * thread-safe.
 *
 * <pre>{@code
 * try (OpRange ops = OpRange.open(connection, docId, after, upTo)) {
 *   while (ops.next()) { ... ops.revision(), ops.opJson(), ops.userId() ... }
 * }
 * }</pre>
 */
final class OpRange implements AutoCloseable {
  private final String docId;
  private final long upTo;
  private final PreparedStatement select;
  private final ResultSet rows;
  private long revision;

  private OpRange(String docId, long after, long upTo, PreparedStatement select, ResultSet rows) {
    this.docId = docId;
    this.upTo = upTo;
    this.select = select;
    this.rows = rows;
    this.revision = after;
  }

  /** The ops after revision {@code after} up to {@code upTo} (none if they are equal). */
  static OpRange open(Connection connection, String docId, long after, long upTo)
      throws SQLException {
    if (upTo < after) {
      throw new IllegalArgumentException(
          "ops after " + after + " up to " + upTo + " (expected: after <= upTo)");
    }
    PreparedStatement select =
        Jdbc.streaming(
            connection,
            "SELECT rev, op, user_id FROM operations WHERE doc_id = ? AND rev > ? AND rev <= ?"
                + " ORDER BY rev");
    try {
      select.setString(1, docId);
      select.setLong(2, after);
      select.setLong(3, upTo);
      return new OpRange(docId, after, upTo, select, select.executeQuery());
    } catch (SQLException | RuntimeException e) {
      select.close();
      throw e;
    }
  }

  /**
   * Moves to the next op; false after the op at {@code upTo}.
   *
   * @throws PersistenceException if the op log has no op at the next revision
   */
  boolean next() throws SQLException {
    if (revision == upTo) {
      return false;
    }
    if (!rows.next() || rows.getLong(1) != revision + 1) {
      throw inconsistent(docId, revision + 1, "its op log has no op at revision " + (revision + 1));
    }
    revision++;
    return true;
  }

  /** The current op's revision: the one it made. */
  long revision() {
    return revision;
  }

  /** The current op as stored: its wire JSON. */
  String opJson() throws SQLException {
    return rows.getString(2);
  }

  /** Who sent the current op. */
  String userId() throws SQLException {
    return rows.getString(3);
  }

  /** To throw when the current op does not apply to what was replayed before it. */
  PersistenceException doesNotApply(IllegalArgumentException e) {
    return inconsistent(docId, revision, "its op does not apply: " + e.getMessage());
  }

  @Override
  public void close() throws SQLException {
    select.close(); // closes the rows too
  }

  /** The stored history of {@code docId} contradicts itself at {@code revision}. */
  static PersistenceException inconsistent(String docId, long revision, String why) {
    return new PersistenceException(
        "document '" + docId + "' is inconsistent at revision " + revision + ": " + why,
        docId,
        revision,
        null);
  }
}
