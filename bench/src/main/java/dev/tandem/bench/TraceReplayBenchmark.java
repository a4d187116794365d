package dev.tandem.bench;

import dev.tandem.ot.EditingTrace;
import dev.tandem.ot.Rope;
import dev.tandem.ot.TextOperation;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Replays the automerge-paper trace (259,778 single-character edits, from ot-core's test resources)
 * from the empty document: into the server's {@link Rope} as pre-built whole-document {@link
 * TextOperation}s, and, for reference, into a plain {@link StringBuilder}.
 *
 * <p>One invocation is one whole replay (SingleShotTime); JMH prints the percentiles of the
 * measured invocations, p(50) being the median.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 20)
@Measurement(iterations = 10)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class TraceReplayBenchmark {
  private static final String TRACE = "automerge-paper";

  private TextOperation[] operations;
  private int[] positions;
  private int[] deleteCounts;
  private String[] insertTexts;
  private String endContent;

  @Setup
  public void load() {
    EditingTrace trace = EditingTrace.load(TRACE);
    List<TextOperation> ops = trace.operations();
    operations = ops.toArray(TextOperation[]::new);
    int patches = trace.patchCount();
    positions = new int[patches];
    deleteCounts = new int[patches];
    insertTexts = new String[patches];
    for (int i = 0; i < patches; i++) {
      positions[i] = trace.position(i);
      deleteCounts[i] = trace.deleteCount(i);
      insertTexts[i] = trace.insertText(i);
      // The StringBuilder replay indexes UTF-16 units: only equal to code points without pairs.
      if (insertTexts[i].codePointCount(0, insertTexts[i].length()) != insertTexts[i].length()) {
        throw new IllegalStateException(TRACE + " has astral characters; fix the baseline");
      }
    }
    endContent = trace.endContent();
    check(rope().toString(), "rope");
    check(stringBuilder().toString(), "StringBuilder");
  }

  private void check(String replayed, String what) {
    if (!replayed.equals(endContent)) {
      throw new IllegalStateException(what + " replay of " + TRACE + " does not match endContent");
    }
  }

  /** The server's document type: one {@code Rope.apply} per edit, each a new persistent rope. */
  @Benchmark
  public Rope rope() {
    Rope rope = Rope.empty();
    for (TextOperation op : operations) {
      rope = rope.apply(op);
    }
    return rope;
  }

  /** Reference: the raw patches spliced into one mutable StringBuilder, no ops and no checks. */
  @Benchmark
  public StringBuilder stringBuilder() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < positions.length; i++) {
      text.replace(positions[i], positions[i] + deleteCounts[i], insertTexts[i]);
    }
    return text;
  }
}
