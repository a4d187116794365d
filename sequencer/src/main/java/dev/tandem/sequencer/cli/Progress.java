package dev.tandem.sequencer.cli;

import dev.tandem.persistence.ArchiveHeader;
import dev.tandem.persistence.ArchiveVisitor;
import dev.tandem.persistence.ArchivedCheckpoint;
import dev.tandem.persistence.ArchivedOp;
import dev.tandem.persistence.PrunedClient;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A progress bar for long work on a terminal's standard error, redrawn in place ({@code \r}) at
 * most ten times a second: {@code [#########...........] 45% 450000/1000000 ops 210000 ops/s}. Off
 * a terminal it draws nothing. {@link #done} clears it, so the command's summary line stands alone.
 * Also an {@link ArchiveVisitor}, whose progress is the revision reached out of the head. Throttled
 * by time, but the first and the last state are always drawn.
 */
final class Progress implements ArchiveVisitor {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean shown;
  private String unit = "ops";
  private final long startNanos = System.nanoTime();
  private long total;
  private long done;
  private long drawnAtNanos;
  private boolean drawn;

  Progress(Terminal terminal, PrintWriter err) {
    this.err = err;
    this.shown = terminal.stderr();
  }

  /** The amount of work, once known, in {@code unit}s ({@code ops}, {@code bytes}). */
  void total(long value, String unit) {
    total = value;
    this.unit = unit;
    draw(true);
  }

  /** Work done so far. */
  void at(long value) {
    done = value;
    long now = System.nanoTime();
    if (now - drawnAtNanos >= REDRAW_NANOS || (total > 0 && value >= total)) { // the end too
      draw(false);
    }
  }

  /** Clears the bar; returns the seconds since the start, for the summary. */
  double done() {
    if (shown && drawn) {
      err.print("\r" + " ".repeat(WIDTH + 60) + "\r");
      err.flush();
      drawn = false;
    }
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** {@code "in 2.3 s, 434783 ops/s"}: the end of a summary line. */
  static String rate(long count, String unit, double seconds) {
    return String.format(
        Locale.ROOT,
        "in %.1f s, %d %s/s",
        seconds,
        seconds > 0 ? Math.round(count / seconds) : count,
        unit);
  }

  private void draw(boolean always) {
    if (!shown || (!always && total <= 0)) {
      return;
    }
    drawnAtNanos = System.nanoTime();
    double seconds = (drawnAtNanos - startNanos) / 1e9;
    double fraction = total <= 0 ? 0 : Math.min(1, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    err.print(
        String.format(
            Locale.ROOT,
            "\r[%s%s] %3d%%  %d/%d %s  %d %s/s",
            "#".repeat(filled),
            ".".repeat(WIDTH - filled),
            Math.round(fraction * 100),
            done,
            total,
            unit,
            seconds > 0 ? Math.round(done / seconds) : 0,
            unit));
    err.flush();
    drawn = true;
  }

  // ---- as a visitor of a history ----------------------------------------------------------------

  @Override
  public void header(ArchiveHeader header) {
    total(header.head(), "ops");
  }

  @Override
  public void prunedClient(PrunedClient client) {}

  @Override
  public void checkpoint(ArchivedCheckpoint checkpoint) {}

  @Override
  public void op(ArchivedOp op) {
    at(op.revision());
  }

  @Override
  public void end(long ops) {
    done = total;
    draw(true);
  }
}
