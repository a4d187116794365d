package dev.tandem.persistence;

import dev.tandem.ot.Component;
import dev.tandem.ot.Delete;
import dev.tandem.ot.Insert;
import dev.tandem.ot.Retain;
import dev.tandem.ot.TextOperation;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who last inserted each code point of a text: {@link AuthorRun}s that cover it from start to end,
 * neighbours of the same op merged. Replaying an op moves it along like the text: retained runs
 * stay, deleted ones go, an insert is a run of the op's user and revision. Stored with checkpoints
 * (as three arrays: users, revisions, lengths) so that blame replays from the nearest one.
 * Immutable.
 */
public final class Authorship {
  private final List<AuthorRun> runs;

  private Authorship(List<AuthorRun> runs) {
    this.runs = List.copyOf(runs);
  }

  /** A text of {@code length} code points whose author is unknown, as of {@code revision}. */
  public static Authorship unknown(long revision, int length) {
    return new Authorship(length == 0 ? List.of() : List.of(new AuthorRun(null, revision, length)));
  }

  public List<AuthorRun> runs() {
    return runs;
  }

  /** The code points covered. */
  public int length() {
    int length = 0;
    for (AuthorRun run : runs) {
      length += run.length();
    }
    return length;
  }

  /**
   * The authorship after {@code op} (committed at {@code revision} by {@code userId}); O(runs +
   * op).
   *
   * @throws IllegalArgumentException if the op's base length is not this text's length
   */
  public Authorship apply(TextOperation op, String userId, long revision) {
    Objects.requireNonNull(userId, "userId");
    List<AuthorRun> next = new ArrayList<>(runs.size() + 2);
    int index = 0; // the run the cursor is in
    int offset = 0; // code points of it already passed
    for (Component component : op.components()) {
      if (component instanceof Insert insert) {
        add(next, new AuthorRun(userId, revision, insert.length()));
        continue;
      }
      int left = component.length();
      boolean keep = component instanceof Retain;
      while (left > 0) {
        if (index >= runs.size()) {
          throw new IllegalArgumentException(
              "op base length " + op.baseLength() + " does not match text length " + length());
        }
        AuthorRun run = runs.get(index);
        int take = Math.min(left, run.length() - offset);
        if (keep) {
          add(next, new AuthorRun(run.userId(), run.revision(), take));
        }
        left -= take;
        offset += take;
        if (offset == run.length()) {
          index++;
          offset = 0;
        }
      }
      assert component instanceof Retain || component instanceof Delete;
    }
    if (index != runs.size()) {
      throw new IllegalArgumentException(
          "op base length " + op.baseLength() + " does not match text length " + length());
    }
    return new Authorship(next);
  }

  private static void add(List<AuthorRun> runs, AuthorRun run) {
    if (!runs.isEmpty()) {
      AuthorRun last = runs.get(runs.size() - 1);
      if (last.revision() == run.revision() && Objects.equals(last.userId(), run.userId())) {
        runs.set(
            runs.size() - 1,
            new AuthorRun(last.userId(), last.revision(), last.length() + run.length()));
        return;
      }
    }
    runs.add(run);
  }

  /** The runs' users, revisions and lengths, one entry per run, as the database stores them. */
  String[] users() {
    return runs.stream().map(AuthorRun::userId).toArray(String[]::new);
  }

  Long[] revisions() {
    return runs.stream().map(AuthorRun::revision).toArray(Long[]::new);
  }

  Integer[] lengths() {
    return runs.stream().map(AuthorRun::length).toArray(Integer[]::new);
  }

  /** From the arrays {@link #users}, {@link #revisions} and {@link #lengths} wrote. */
  static Authorship of(String[] users, Long[] revisions, Integer[] lengths) {
    List<AuthorRun> runs = new ArrayList<>(users.length);
    for (int i = 0; i < users.length; i++) {
      runs.add(new AuthorRun(users[i], revisions[i], lengths[i]));
    }
    return new Authorship(runs);
  }
}
