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
 * inserts of similar rows into a scratch table with the same commit pattern.
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
    createScratchTable();
    System.out.printf(
        Locale.ROOT,
        "%-44s %12s %12s %12s%n",
        "scenario (one client, committed rows/s)",
        "median",
        "min",
        "max");
    double raw1 = measure("raw JDBC: 1 row per commit", rawInsert(1));
    double raw10 = measure("raw JDBC: 10-row INSERT per commit", rawInsert(10));
    double raw100 = measure("raw JDBC: 100-row INSERT per commit", rawInsert(100));
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
   * The ceiling: a multi-row INSERT of rows shaped like the op log's (text id, bigint revision, op
   * JSON, client, seq, user, timestamp) into a table with the same primary key, one commit each.
   */
  private Batch rawInsert(int size) {
    StringBuilder sql =
        new StringBuilder(
            "INSERT INTO bench_raw (doc_id, rev, op, client_id, client_seq, user_id) VALUES ");
    for (int i = 0; i < size; i++) {
      sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?)");
    }
    String docId = "raw-" + size + "-" + System.nanoTime();
    long[] revision = {0};
    return () -> {
      // A connection from the pool per commit, as OpLog.append takes one.
      try (Connection connection = database.dataSource().getConnection();
          PreparedStatement insert = connection.prepareStatement(sql.toString())) {
        int p = 1;
        for (int i = 0; i < size; i++) {
          long rev = ++revision[0];
          insert.setString(p++, docId);
          insert.setLong(p++, rev);
          insert.setString(p++, "[" + (rev - 1) + ",\"x\"]");
          insert.setString(p++, "bench-client");
          insert.setLong(p++, rev);
          insert.setString(p++, "bench-user");
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

  private void createScratchTable() throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("DROP TABLE IF EXISTS bench_raw");
      statement.execute(
          "CREATE TABLE bench_raw (doc_id text NOT NULL, rev bigint NOT NULL, op text NOT NULL,"
              + " client_id text NOT NULL, client_seq bigint NOT NULL, user_id text NOT NULL,"
              + " created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (doc_id, rev))");
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
