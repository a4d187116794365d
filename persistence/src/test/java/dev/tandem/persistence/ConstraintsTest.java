package dev.tandem.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The schema itself refuses what it must, with plain SQL that bypasses the op log's own checks:
 * whatever the application does, the database keeps the invariants.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class ConstraintsTest {
  private final Database database;
  private String docId;

  ConstraintsTest(Database database) {
    this.database = database;
  }

  @BeforeEach
  void documentWithOneOp() {
    docId = EmbeddedPostgresExtension.freshDocId("constraints");
    database.opLog().createDocument(docId, "");
    database.opLog().append(List.of(Ops.stored(docId, 1, Ops.append(0, "a"), "client", 1)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '#',
      textBlock =
          """
          second op at a revision   # operations_pkey            # INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash) VALUES (:doc, 1, '[1,"b"]', 'other', 1, 'u', repeat('0', 64))
          same (client, seq) twice  # operations_client_seq_key  # INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash) VALUES (:doc, 2, '[1,"b"]', 'client', 1, 'u', repeat('0', 64))
          revision zero             # operations_rev_check       # INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash) VALUES (:doc, 0, '[1,"b"]', 'client', 2, 'u', repeat('0', 64))
          op that is no JSON array  # operations_op_check        # INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash) VALUES (:doc, 2, 'x', 'client', 2, 'u', repeat('0', 64))
          empty client id           # operations_client_id_check # INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash) VALUES (:doc, 2, '[1,"b"]', '', 2, 'u', repeat('0', 64))
          65-character client id    # operations_client_id_check # INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash) VALUES (:doc, 2, '[1,"b"]', repeat('c', 65), 2, 'u', repeat('0', 64))
          negative seq              # operations_client_seq_check# INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash) VALUES (:doc, 2, '[1,"b"]', 'client', -1, 'u', repeat('0', 64))
          empty user id             # operations_user_id_check   # INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash) VALUES (:doc, 2, '[1,"b"]', 'client', 2, '', repeat('0', 64))
          second document, same id  # documents_pkey             # INSERT INTO documents (id, head_hash) VALUES (:doc, repeat('0', 64))
          empty document id         # documents_id_check         # INSERT INTO documents (id, head_hash) VALUES ('', repeat('0', 64))
          201-character document id # documents_id_check         # INSERT INTO documents (id, head_hash) VALUES (repeat('d', 201), repeat('0', 64))
          control character in id   # documents_id_check         # INSERT INTO documents (id, head_hash) VALUES (:doc || chr(10), repeat('0', 64))
          negative head             # documents_head_rev_check   # UPDATE documents SET head_rev = -1 WHERE id = :doc
          second checkpoint at a rev# checkpoints_pkey           # INSERT INTO checkpoints (doc_id, rev, content, sha256, chain) VALUES (:doc, 0, 'x', repeat('0', 64), repeat('0', 64))
          negative checkpoint rev   # checkpoints_rev_check      # INSERT INTO checkpoints (doc_id, rev, content, sha256, chain) VALUES (:doc, -1, 'x', repeat('0', 64), repeat('0', 64))
          malformed digest          # checkpoints_sha256_check   # INSERT INTO checkpoints (doc_id, rev, content, sha256, chain) VALUES (:doc, 1, 'x', 'abc', repeat('0', 64))
          short op hash             # operations_hash_check      # INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash) VALUES (:doc, 2, '[1,"b"]', 'client', 2, 'u', 'abc')
          short head hash           # documents_head_hash_check  # UPDATE documents SET head_hash = 'abc' WHERE id = :doc
          malformed checkpoint chain# checkpoints_chain_check    # INSERT INTO checkpoints (doc_id, rev, content, sha256, chain) VALUES (:doc, 1, 'x', repeat('0', 64), 'abc')
          checkpoint of no document # checkpoints_doc_fkey       # INSERT INTO checkpoints (doc_id, rev, content, sha256, chain) VALUES (:doc || '-missing', 0, 'x', repeat('0', 64), repeat('0', 64))
          """)
  void refuses(String what, String constraint, String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(sql.replace(":doc", "?"))) {
      int parameters = statement.getParameterMetaData().getParameterCount();
      for (int i = 1; i <= parameters; i++) {
        statement.setString(i, docId);
      }
      SQLException refused = assertThrows(SQLException.class, statement::executeUpdate, what);
      assertEquals(constraint, SqlErrors.constraint(refused), refused.getMessage());
    }
  }

  @Test
  void validRowsAreAccepted() throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "INSERT INTO operations (doc_id, rev, op, client_id, client_seq, user_id, hash)"
                    + " VALUES (?, 2, '[1,\"b\"]', repeat('c', 64), 0, 'u', repeat('0', 64))")) {
      statement.setString(1, docId);
      assertEquals(1, statement.executeUpdate());
    }
  }
}
