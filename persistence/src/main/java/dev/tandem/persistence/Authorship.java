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

  /** A replay of many ops from this authorship, each in O(blocks + block) rather than O(runs). */
  Replay replay() {
    return new Replay(runs);
  }

  /**
   * The authorship being replayed: its runs in blocks of about {@link #BLOCK}, each with its
   * length, so that an op finds its position by skipping whole blocks and edits one block. A
   * checkpoint of a long document holds hundreds of thousands of runs (one per surviving insert),
   * and a replay of the ops since it would otherwise copy them all for every op. Not thread-safe;
   * once.
   */
  static final class Replay {
    private static final int BLOCK = 256;

    private static final class Block {
      final ArrayList<AuthorRun> runs;
      int length;

      Block(List<AuthorRun> runs) {
        this.runs = new ArrayList<>(runs);
        for (AuthorRun run : runs) {
          length += run.length();
        }
      }
    }

    private final ArrayList<Block> blocks = new ArrayList<>();
    private int length;

    private Replay(List<AuthorRun> runs) {
      for (int from = 0; from < runs.size(); from += BLOCK) {
        blocks.add(new Block(runs.subList(from, Math.min(runs.size(), from + BLOCK))));
      }
      for (Block block : blocks) {
        length += block.length;
      }
    }

    /**
     * Applies {@code op}, committed at {@code revision} by {@code userId}.
     *
     * @throws IllegalArgumentException if its base length is not the text's length
     */
    void apply(TextOperation op, String userId, long revision) {
      if (op.baseLength() != length) {
        throw new IllegalArgumentException(
            "op base length " + op.baseLength() + " does not match text length " + length);
      }
      int position = 0;
      for (Component component : op.components()) {
        if (component instanceof Retain) {
          position += component.length();
        } else if (component instanceof Insert) {
          insert(position, new AuthorRun(userId, revision, component.length()));
          position += component.length();
        } else {
          delete(position, component.length());
        }
      }
    }

    Authorship result() {
      List<AuthorRun> runs = new ArrayList<>();
      for (Block block : blocks) {
        for (AuthorRun run : block.runs) {
          add(runs, run);
        }
      }
      return new Authorship(runs);
    }

    private void insert(int position, AuthorRun run) {
      length += run.length();
      if (blocks.isEmpty()) {
        blocks.add(new Block(List.of(run)));
        return;
      }
      int b = 0;
      while (b < blocks.size() - 1 && position > blocks.get(b).length) {
        position -= blocks.get(b).length;
        b++;
      }
      Block block = blocks.get(b);
      block.length += run.length();
      int i = 0;
      while (i < block.runs.size() && position >= block.runs.get(i).length()) {
        position -= block.runs.get(i).length();
        i++;
      }
      if (position > 0) { // inside run i: split it around the insert
        AuthorRun split = block.runs.get(i);
        block.runs.set(i, new AuthorRun(split.userId(), split.revision(), position));
        block.runs.add(
            i + 1, new AuthorRun(split.userId(), split.revision(), split.length() - position));
        i++;
      }
      block.runs.add(i, run);
      if (block.runs.size() > 2 * BLOCK) {
        List<AuthorRun> half = block.runs.subList(BLOCK, block.runs.size());
        Block next = new Block(half);
        half.clear();
        block.length -= next.length;
        blocks.add(b + 1, next);
      }
    }

    private void delete(int position, int count) {
      length -= count;
      int b = 0;
      while (position >= blocks.get(b).length) {
        position -= blocks.get(b).length;
        b++;
      }
      while (count > 0) {
        Block block = blocks.get(b);
        int i = 0;
        int offset = position;
        while (offset >= block.runs.get(i).length()) {
          offset -= block.runs.get(i).length();
          i++;
        }
        while (count > 0 && i < block.runs.size()) {
          AuthorRun run = block.runs.get(i);
          int take = Math.min(count, run.length() - offset);
          block.length -= take;
          count -= take;
          if (take == run.length()) {
            block.runs.remove(i);
          } else if (offset == 0) {
            block.runs.set(i, new AuthorRun(run.userId(), run.revision(), run.length() - take));
            i++;
          } else if (offset + take == run.length()) {
            block.runs.set(i, new AuthorRun(run.userId(), run.revision(), offset));
            i++;
          } else { // the middle of the run goes
            block.runs.set(i, new AuthorRun(run.userId(), run.revision(), offset));
            block.runs.add(
                i + 1, new AuthorRun(run.userId(), run.revision(), run.length() - offset - take));
            i += 2;
          }
          offset = 0;
        }
        if (block.runs.isEmpty()) {
          blocks.remove(b);
        } else {
          b++;
        }
        position = 0;
      }
    }
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
