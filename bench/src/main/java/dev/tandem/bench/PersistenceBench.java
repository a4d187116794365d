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
 * <p>Each round runs every scenario for {@code seconds} seconds, one after the other; after one
 * warm-up round, {@code rounds} rounds are measured. It prints each scenario's median, minimum and
 * maximum, and ratios taken within a round (so a burst of load elsewhere skews both sides alike).
 * Arguments: {@code [seconds] [rounds] [dataDir] [keys]} (defaults 3, 5, {@code
 * target/bench-postgres}); {@code keys} runs only the study of the duplicate-resubmit key against a
 * per-client last-seq table ({@link #keyStudy}).
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

  /** Scratch copy of {@code operations} without its unique {@code (doc_id, client_id, seq)}. */
  private static final String PRIMARY_KEY_ONLY = "bench_primary_key_only";

  /** Scratch per-client last-seq table: what would refuse a resubmit instead of that key. */
  private static final String LAST_SEQ = "bench_last_seq";

  private static final String BENCH_HASH = "0".repeat(64);

  /** Client ids a batch's rows cycle through: with one op in flight each, a group's ops differ. */
  private static final int CLIENTS_PER_BATCH = 100;

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
      PersistenceBench bench = new PersistenceBench(database, seconds, rounds);
      if (args.length > 3 && args[3].equals("keys")) {
        bench.keyStudy();
      } else {
        bench.run();
      }
    }
    System.out.println("load average after: " + Files.readString(Path.of("/proc/loadavg")).trim());
  }

  /** A named commit pattern and the rate it reached in each measured round. */
  private record Scenario(String name, Batch batch, double[] rates) {
    Scenario(String name, Batch batch, int rounds) {
      this(name, batch, new double[rounds]);
    }

    double median() {
      return Rates.median(rates);
    }
  }

  /** Medians of per-round figures. */
  private static final class Rates {
    private Rates() {}

    static double median(double[] values) {
      double[] sorted = values.clone();
      Arrays.sort(sorted);
      int middle = sorted.length / 2;
      return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /** The median over rounds of {@code a}'s rate divided by {@code b}'s in the same round. */
    static double medianRatio(Scenario a, Scenario b) {
      double[] ratios = new double[a.rates().length];
      for (int round = 0; round < ratios.length; round++) {
        ratios[round] = a.rates()[round] / b.rates()[round];
      }
      return median(ratios);
    }
  }

  private void run() throws SQLException {
    createScratchTables();
    Scenario raw1 = scenario("raw JDBC: 1 row per commit", rawInsert(RAW, 1, 1));
    Scenario raw10 = scenario("raw JDBC: 10-row INSERT per commit", rawInsert(RAW, 10, 1));
    Scenario raw100 = scenario("raw JDBC: 100-row INSERT per commit", rawInsert(RAW, 100, 1));
    Scenario keys100 =
        scenario("same keys: 100-row INSERT, 1 document", rawInsert(SAME_KEYS, 100, 1));
    Scenario keysAcross100 =
        scenario("same keys: 100-row INSERT, 100 documents", rawInsert(SAME_KEYS, 100, 100));
    Scenario single = scenario("OpLog.append: 1 op per transaction", oneDocument(1));
    Scenario group10 = scenario("OpLog.append: 10 ops of 1 document", oneDocument(10));
    Scenario group100 = scenario("OpLog.append: 100 ops of 1 document", oneDocument(100));
    Scenario across100 = scenario("OpLog.append: 1 op each of 100 documents", hundredDocuments());
    measure(
        List.of(raw1, raw10, raw100, keys100, keysAcross100, single, group10, group100, across100));
    System.out.println("ratios, each the median over rounds of the ratio within a round:");
    ratio("OpLog / raw, 1 op per commit", single, raw1);
    ratio("OpLog / raw, 10 ops of 1 document", group10, raw10);
    ratio("OpLog / raw, 100 ops of 1 document", group100, raw100);
    ratio("OpLog / raw, 1 op each of 100 documents", across100, raw100);
    ratio("same keys / raw, 100 rows of 1 document", keys100, raw100);
    ratio("same keys / raw, 100 rows of 100 documents", keysAcross100, raw100);
    ratio("OpLog / same keys, 100 ops of 1 document", group100, keys100);
    ratio("OpLog / same keys, 1 op each of 100 documents", across100, keysAcross100);
  }

  /**
   * The duplicate-resubmit guarantee two ways, in the shapes the load workloads commit (every
   * client has at most one op in flight, so a group holds one op per client): the unique {@code
   * (doc_id, client_id, client_seq)} key of {@code operations}, against a table with only the
   * primary key plus an upsert of each client's last seq that refuses a seq not above it. Batches
   * of 1 (hot-doc 1), 24 (hot-doc 50's ops per group commit) and 100 ops of as many clients of one
   * document.
   */
  private void keyStudy() throws SQLException {
    createScratchTables();
    List<Scenario> scenarios = new ArrayList<>();
    List<String> ratios = new ArrayList<>();
    for (int size : new int[] {1, 24, 100}) {
      Scenario unique =
          scenario(
              "unique key: " + size + " rows, " + size + " clients", rawInsert(SAME_KEYS, size, 1));
      Scenario lastSeq =
          scenario("last-seq table: " + size + " rows, " + size + " clients", lastSeqInsert(size));
      scenarios.add(unique);
      scenarios.add(lastSeq);
    }
    measure(scenarios);
    System.out.println("ratios, each the median over rounds of the ratio within a round:");
    for (int i = 0; i < scenarios.size(); i += 2) {
      ratio(scenarios.get(i + 1).name() + " / unique key", scenarios.get(i + 1), scenarios.get(i));
    }
  }

  /**
   * Round by round, every scenario once (after a warm-up round): load that comes and goes during a
   * run then falls on all of them alike, and ratios compare rates measured minutes apart at most.
   */
  private void measure(List<Scenario> scenarios) throws SQLException {
    for (int round = -1; round < rounds; round++) {
      for (Scenario scenario : scenarios) {
        double rate = commitFor(scenario.batch());
        if (round >= 0) {
          scenario.rates()[round] = rate;
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-44s %12s %12s %12s%n",
        "scenario (one client, committed rows/s)",
        "median",
        "min",
        "max");
    for (Scenario scenario : scenarios) {
      double[] sorted = scenario.rates().clone();
      Arrays.sort(sorted);
      System.out.printf(
          Locale.ROOT,
          "%-44s %12.0f %12.0f %12.0f%n",
          scenario.name(),
          scenario.median(),
          sorted[0],
          sorted[sorted.length - 1]);
    }
  }

  private Scenario scenario(String name, Batch batch) {
    return new Scenario(name, batch, rounds);
  }

  private static void ratio(String name, Scenario a, Scenario b) {
    System.out.printf(Locale.ROOT, "  %-50s %6.2f%n", name, Rates.medianRatio(a, b));
  }

  /** Commits batches until {@code seconds} pass; returns the committed rows per second. */
  private double commitFor(Batch batch) throws SQLException {
    long rows = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long now;
    do {
      rows += batch.commit();
      now = System.nanoTime();
    } while (now < end);
    return rows / ((now - start) / 1e9);
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
    // The copy of operations has its hash column (NOT NULL since V4): a fixed 64-character value.
    boolean hashed = table.equals(SAME_KEYS);
    StringBuilder sql =
        new StringBuilder("INSERT INTO ")
            .append(table)
            .append(" (doc_id, rev, op, client_id, client_seq, user_id")
            .append(hashed ? ", hash) VALUES " : ") VALUES ");
    for (int i = 0; i < size; i++) {
      sql.append(i == 0 ? "" : ", ")
          .append(hashed ? "(?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?)");
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
          insert.setString(p++, "bench-client-" + (i % CLIENTS_PER_BATCH));
          insert.setLong(p++, rev);
          insert.setString(p++, "bench-user");
          if (hashed) {
            insert.setString(p++, BENCH_HASH);
          }
        }
        if (documents > 1) {
          revision[0] += size / documents;
        }
        insert.executeUpdate(); // autocommit: one transaction, one commit
      }
      return size;
    };
  }

  /**
   * {@code size} rows of one document into {@link #PRIMARY_KEY_ONLY}, each of another client, and
   * in the same statement each client's last seq raised in {@link #LAST_SEQ}; a seq not above the
   * stored one updates nothing, and the statement then fails (division by zero stands in for the
   * append's own error), as the unique key refuses a double-applied resubmit.
   */
  private Batch lastSeqInsert(int size) {
    StringBuilder rows = new StringBuilder();
    StringBuilder seqs = new StringBuilder();
    for (int i = 0; i < size; i++) {
      rows.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?)");
      seqs.append(i == 0 ? "" : ", ").append("(?, ?, ?)");
    }
    String sql =
        "WITH appended AS (INSERT INTO "
            + PRIMARY_KEY_ONLY
            + " (doc_id, rev, op, client_id, client_seq, user_id, hash) VALUES "
            + rows
            + " RETURNING 1), raised AS (INSERT INTO "
            + LAST_SEQ
            + " AS last (doc_id, client_id, last_seq) VALUES "
            + seqs
            + " ON CONFLICT (doc_id, client_id) DO UPDATE SET last_seq = EXCLUDED.last_seq"
            + " WHERE last.last_seq < EXCLUDED.last_seq RETURNING 1)"
            + " SELECT 1 / ((SELECT count(*) FROM raised) - "
            + size
            + " + 1) FROM (SELECT count(*) FROM appended) a";
    String docId = "last-seq-" + size + "-" + System.nanoTime();
    long[] revision = {0};
    return () -> {
      try (Connection connection = database.dataSource().getConnection();
          PreparedStatement insert = connection.prepareStatement(sql)) {
        int p = 1;
        long first = revision[0] + 1;
        for (int i = 0; i < size; i++) {
          long rev = first + i;
          insert.setString(p++, docId);
          insert.setLong(p++, rev);
          insert.setString(p++, "[" + (rev - 1) + ",\"x\"]");
          insert.setString(p++, "bench-client-" + (i % CLIENTS_PER_BATCH));
          insert.setLong(p++, rev);
          insert.setString(p++, "bench-user");
          insert.setString(p++, BENCH_HASH);
        }
        for (int i = 0; i < size; i++) {
          insert.setString(p++, docId);
          insert.setString(p++, "bench-client-" + (i % CLIENTS_PER_BATCH));
          insert.setLong(p++, first + i);
        }
        revision[0] += size;
        insert.executeQuery().close(); // autocommit: one transaction, one commit
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
      statement.execute("DROP TABLE IF EXISTS " + PRIMARY_KEY_ONLY);
      statement.execute(
          "CREATE TABLE "
              + PRIMARY_KEY_ONLY
              + " (LIKE operations INCLUDING DEFAULTS INCLUDING CONSTRAINTS,"
              + " PRIMARY KEY (doc_id, rev))");
      statement.execute("DROP TABLE IF EXISTS " + LAST_SEQ);
      statement.execute(
          "CREATE TABLE "
              + LAST_SEQ
              + " (doc_id text NOT NULL, client_id text NOT NULL, last_seq bigint NOT NULL,"
              + " PRIMARY KEY (doc_id, client_id))");
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
