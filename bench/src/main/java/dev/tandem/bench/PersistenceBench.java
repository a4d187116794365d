package dev.tandem.bench;

import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.Database;
import dev.tandem.persistence.DatabaseConfig;
import dev.tandem.persistence.OpLog;
import dev.tandem.persistence.StoredOp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Sustained committed ops per second of {@link OpLog#append} on the embedded PostgreSQL with
 * synchronous_commit on, one client thread, next to the ceiling of the same PostgreSQL: plain JDBC
 * inserts of similar rows into a scratch table with the same commit pattern. A second scratch
 * table, a copy of {@code operations} with all its keys and checks, shows what the schema itself
 * costs, so the gap between the ceiling and the op log splits into the schema's part and the append
 * statement's part.
 *
 * <p>Each scenario runs {@code rounds} rounds of {@code seconds} seconds after one warm-up round
 * and prints the median, minimum and maximum. Arguments: {@code [seconds] [rounds] [dataDir]}
 * (defaults 3, 5, {@code target/bench-postgres}).
 *
 * <pre>
 * mvn -B -q -Pbench package -pl bench -am -DskipTests
 * java -cp bench/target/benchmarks.jar dev.tandem.bench.PersistenceBench
 * </pre>
 */
public final class PersistenceBench {
  /** One batch of a scenario; returns the number of ops (rows) it committed. */
  @FunctionalInterface
  private interface Batch {
    int commit() throws SQLException;
  }

  /** Scratch table with only a primary key: the raw-insert ceiling. */
  private static final String RAW = "bench_raw";

  /** Scratch copy of {@code operations} with all its keys, checks and defaults. */
  private static final String SAME_KEYS = "bench_same_keys";

  private final Database database;
  private final double seconds;
  private final int rounds;
  private int documents;

  private PersistenceBench(Database database, double seconds, int rounds) {
    this.database = database;
    this.seconds = seconds;
    this.rounds = rounds;
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path dataDir = Path.of(args.length > 2 ? args[2] : "target/bench-postgres");
    System.out.println("load average before: " + Files.readString(Path.of("/proc/loadavg")).trim());
    try (Database database = Database.open(DatabaseConfig.embedded(dataDir).withPoolSize(2))) {
      System.out.println("synchronous_commit = " + setting(database, "synchronous_commit"));
      System.out.println("fsync = " + setting(database, "fsync"));
      new PersistenceBench(database, seconds, rounds).run();
    }
    System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
  }

  private void run() throws SQLException {
    createScratchTables();
    System.out.printf(
        Locale.ROOT,
        "%-44s %12s %12s %12s%n",
        "scenario (one client, committed rows/s)",
        "median",
        "min",
        "max");
    double raw1 = measure("raw JDBC: 1 row per commit", rawInsert(RAW, 1, 1));
    double raw10 = measure("raw JDBC: 10-row INSERT per commit", rawInsert(RAW, 10, 1));
    double raw100 = measure("raw JDBC: 100-row INSERT per commit", rawInsert(RAW, 100, 1));
    double keys100 = measure("same keys: 100-row INSERT, 1 document", rawInsert(SAME_KEYS, 100, 1));
    double keysAcross100 =
        measure("same keys: 100-row INSERT, 100 documents", rawInsert(SAME_KEYS, 100, 100));
    double single = measure("OpLog.append: 1 op per transaction", oneDocument(1));
    double group10 = measure("OpLog.append: 10 ops of 1 document", oneDocument(10));
    double group100 = measure("OpLog.append: 100 ops of 1 document", oneDocument(100));
    double across100 = measure("OpLog.append: 1 op each of 100 documents", hundredDocuments());
    System.out.printf(
        Locale.ROOT,
        "ratios (OpLog / raw, same commit size): 1: %.2f, 10: %.2f, 100: %.2f,"
            + " 100 documents: %.2f%n",
        single / raw1,
        group10 / raw10,
        group100 / raw100,
        across100 / raw100);
    System.out.printf(
        Locale.ROOT,
        "ratios (same keys / raw): 100 rows of 1 document: %.2f, of 100 documents: %.2f%n",
        keys100 / raw100,
        keysAcross100 / raw100);
    System.out.printf(
        Locale.ROOT,
        "ratios (OpLog / same keys): 100 ops of 1 document: %.2f, of 100 documents: %.2f%n",
        group100 / keys100,
        across100 / keysAcross100);
  }

  /** Commits batches until {@code seconds} pass, {@code rounds + 1} times; prints the rates. */
  private double measure(String name, Batch batch) throws SQLException {
    double[] rates = new double[rounds];
    for (int round = -1; round < rounds; round++) {
      long rows = 0;
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      long now;
      do {
        rows += batch.commit();
        now = System.nanoTime();
      } while (now < end);
      if (round >= 0) {
        rates[round] = rows / ((now - start) / 1e9);
      }
    }
    Arrays.sort(rates);
    double median = rates[rounds / 2];
    System.out.printf(
        Locale.ROOT, "%-44s %12.0f %12.0f %12.0f%n", name, median, rates[0], rates[rounds - 1]);
    return median;
  }

  /** {@code size} ops of one document per append, the document growing by one character each. */
  private Batch oneDocument(int size) {
    String docId = newDocument();
    long[] head = {0};
    return () -> {
      List<StoredOp> batch = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        batch.add(keystroke(docId, ++head[0]));
      }
      database.opLog().append(batch);
      return size;
    };
  }

  /** One op of each of 100 documents per append. */
  private Batch hundredDocuments() {
    List<String> docIds = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      docIds.add(newDocument());
    }
    long[] head = {0};
    return () -> {
      head[0]++;
      List<StoredOp> batch = new ArrayList<>(docIds.size());
      for (String docId : docIds) {
        batch.add(keystroke(docId, head[0]));
      }
      database.opLog().append(batch);
      return batch.size();
    };
  }

  /**
   * A multi-row INSERT of {@code size} rows shaped like the op log's (text id, bigint revision, op
   * JSON, client, seq, user), one commit each, the rows spread over {@code documents} documents.
   * Into {@link #RAW} it is the ceiling; into {@link #SAME_KEYS} it is what the op log's own keys
   * and checks cost before the append statement's compare-and-set on each document's head.
   */
  private Batch rawInsert(String table, int size, int documents) {
    StringBuilder sql =
        new StringBuilder("INSERT INTO ")
            .append(table)
            .append(" (doc_id, rev, op, client_id, client_seq, user_id) VALUES ");
    for (int i = 0; i < size; i++) {
      sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?)");
    }
    String docPrefix = "raw-" + size + "-" + documents + "-" + System.nanoTime() + "-";
    long[] revision = {0};
    return () -> {
      // A connection from the pool per commit, as OpLog.append takes one.
      try (Connection connection = database.dataSource().getConnection();
          PreparedStatement insert = connection.prepareStatement(sql.toString())) {
        int p = 1;
        long firstRevision = revision[0] + 1;
        for (int i = 0; i < size; i++) {
          // Document i % documents gets the next revision of its own, as a batch of keystrokes.
          long rev = documents == 1 ? ++revision[0] : firstRevision + i / documents;
          insert.setString(p++, docPrefix + (i % documents));
          insert.setLong(p++, rev);
          insert.setString(p++, "[" + (rev - 1) + ",\"x\"]");
          insert.setString(p++, "bench-client");
          insert.setLong(p++, rev);
          insert.setString(p++, "bench-user");
        }
        if (documents > 1) {
          revision[0] += size / documents;
        }
        insert.executeUpdate(); // autocommit: one transaction, one commit
      }
      return size;
    };
  }

  private String newDocument() {
    String docId = "bench-" + System.nanoTime() + "-" + documents++;
    database.opLog().createDocument(docId, "");
    return docId;
  }

  /** A one-character insert at the end of a document at revision - 1 (length revision - 1). */
  private static StoredOp keystroke(String docId, long revision) {
    TextOperation op = TextOperation.builder().retain((int) (revision - 1)).insert("x").build();
    return new StoredOp(docId, revision, op, "bench-client", revision, "bench-user", Instant.now());
  }

  private void createScratchTables() throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS " + RAW);
      statement.execute(
          "CREATE TABLE "
              + RAW
              + " (doc_id text NOT NULL, rev bigint NOT NULL, op text NOT NULL,"
              + " client_id text NOT NULL, client_seq bigint NOT NULL, user_id text NOT NULL,"
              + " created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (doc_id, rev))");
      statement.execute("DROP TABLE IF EXISTS " + SAME_KEYS);
      statement.execute("CREATE TABLE " + SAME_KEYS + " (LIKE operations INCLUDING ALL)");
    }
  }

  private static String setting(Database database, String name) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        PreparedStatement show = connection.prepareStatement("SELECT current_setting(?)")) {
      show.setString(1, name);
      try (var row = show.executeQuery()) {
        row.next();
        return row.getString(1);
      }
    }
  }
}
