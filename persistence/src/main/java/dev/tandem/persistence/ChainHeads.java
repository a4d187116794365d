package dev.tandem.persistence;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The head revision and {@link HistoryChain} hash of the documents {@link OpLog} appended to last,
 * so that chaining a batch rarely reads the database. Only a hint: the append's compare-and-set
 * matches the head hash it chained from, so a stale entry stores nothing (the append fails, the
 * entry is forgotten and the next attempt reads the head). Holds at most {@link #CAPACITY}
 * documents, least recently appended first out. Thread-safe.
 */
final class ChainHeads {
  static final int CAPACITY = 10_000;
  private static final String UNKNOWN = "0".repeat(64); // no document: the append reports it

  private record Head(long revision, String hash) {}

  private final Map<String, Head> heads =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Head> eldest) {
          return size() > CAPACITY;
        }
      };

  /**
   * The hash before each document's first op, in the batch's document order: remembered when its
   * head is that op's revision - 1, else read (one query for all of them).
   */
  String[] before(GuardedPool pool, Map<String, List<StoredOp>> byDocument) {
    String[] hashes = new String[byDocument.size()];
    List<String> unknown = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    int d = 0;
    synchronized (heads) {
      for (Map.Entry<String, List<StoredOp>> document : byDocument.entrySet()) {
        Head head = heads.get(document.getKey());
        if (head != null && head.revision() == document.getValue().get(0).revision() - 1) {
          hashes[d] = head.hash();
        } else {
          unknown.add(document.getKey());
          index.put(document.getKey(), d);
        }
        d++;
      }
    }
    if (unknown.isEmpty()) {
      return hashes;
    }
    Jdbc.autoCommit(
        pool,
        "read head hashes",
        unknown.get(0),
        null,
        connection -> {
          try (PreparedStatement select =
              connection.prepareStatement(
                  "SELECT id, head_hash FROM documents WHERE id = ANY (?::text[])")) {
            select.setArray(1, connection.createArrayOf("text", unknown.toArray()));
            try (ResultSet rows = select.executeQuery()) {
              while (rows.next()) {
                hashes[index.get(rows.getString(1))] = rows.getString(2);
              }
            }
          }
          return null;
        });
    for (int i = 0; i < hashes.length; i++) {
      if (hashes[i] == null) {
        hashes[i] = UNKNOWN;
      }
    }
    return hashes;
  }

  /** The documents' heads after a stored batch. */
  void advanced(String[] docIds, Long[] revisions, String[] hashes) {
    synchronized (heads) {
      for (int i = 0; i < docIds.length; i++) {
        heads.put(docIds[i], new Head(revisions[i], hashes[i]));
      }
    }
  }

  /** After a failed batch: its documents' heads are read again. */
  void forget(String[] docIds) {
    synchronized (heads) {
      for (String docId : docIds) {
        heads.remove(docId);
      }
    }
  }

  /** After a document was deleted, pruned or imported behind the op log. */
  void forget(String docId) {
    synchronized (heads) {
      heads.remove(docId);
    }
  }
}
