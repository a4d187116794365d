package dev.tandem.bench;

import dev.tandem.ot.TextOperation;
import dev.tandem.ot.Transformed;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of {@link TextOperation#transform} on typical keystroke ops, on one thread: each side
 * is a one-character insert or a one-character delete at a random place of a 10,000-character
 * document (as the server sees them: retain, insert or delete, retain). The pairs are pre-built
 * from a fixed seed; each invocation transforms the next pair, so one op/s is one transform/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class TransformBenchmark {
  private static final int DOCUMENT_LENGTH = 10_000;
  private static final int PAIRS = 1 << 12; // a power of two, for the mask below

  private final TextOperation[] lefts = new TextOperation[PAIRS];
  private final TextOperation[] rights = new TextOperation[PAIRS];
  private int next;

  @Setup
  public void generate() {
    Random random = new Random(20261122);
    for (int i = 0; i < PAIRS; i++) {
      lefts[i] = keystroke(random);
      rights[i] = keystroke(random);
    }
  }

  /** A one-character insert (half of them) or delete at a random position. */
  private static TextOperation keystroke(Random random) {
    if (random.nextBoolean()) {
      int position = random.nextInt(DOCUMENT_LENGTH + 1);
      String character = String.valueOf((char) ('a' + random.nextInt(26)));
      return TextOperation.builder()
          .retain(position)
          .insert(character)
          .retain(DOCUMENT_LENGTH - position)
          .build();
    }
    int position = random.nextInt(DOCUMENT_LENGTH);
    return TextOperation.builder()
        .retain(position)
        .delete(1)
        .retain(DOCUMENT_LENGTH - position - 1)
        .build();
  }

  @Benchmark
  public Transformed transform() {
    int i = next++ & (PAIRS - 1);
    return TextOperation.transform(lefts[i], rights[i]);
  }
}
