package dev.tandem.sequencer.document;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The most recent committed ops of one document, kept in memory so that transforming a submit and
 * catching up a subscriber rarely reads the database. Holds the revisions {@code (head - capacity,
 * head]} at most, and no more than about {@link #MAX_BYTES} of them (a few large ops do not pin
 * megabytes per document); older ones are read from the op log. Not thread-safe: owned by the
 * document's sequencer.
 */
final class History {
  /** About the most memory one document's history holds. */
  static final long MAX_BYTES = 4L * 1024 * 1024;

  private final int capacity;
  private long bytes;
  private final ArrayDeque<Committed> recent = new ArrayDeque<>();
  private final Map<ClientSeq, Committed> bySeq = new HashMap<>();
  private final Map<String, Long> highestSeq = new HashMap<>();

  private record ClientSeq(String clientId, long seq) {}

  History(int capacity) {
    this.capacity = capacity;
  }

  void add(Committed committed) {
    recent.addLast(committed);
    bySeq.put(new ClientSeq(committed.clientId(), committed.seq()), committed);
    highestSeq.merge(committed.clientId(), committed.seq(), Math::max);
    bytes += size(committed);
    while (recent.size() > capacity || (bytes > MAX_BYTES && recent.size() > 1)) {
      Committed oldest = recent.removeFirst();
      bytes -= size(oldest);
      bySeq.remove(new ClientSeq(oldest.clientId(), oldest.seq()));
    }
  }

  /** About the heap one op takes here: its op and wire form, ids and the objects around them. */
  private static long size(Committed committed) {
    return 4L * committed.opJson().length() + 2L * committed.clientId().length() + 200;
  }

  /** The op with this {@code (client, seq)} if memory still holds it. */
  Optional<Committed> bySeq(String clientId, long seq) {
    return Optional.ofNullable(bySeq.get(new ClientSeq(clientId, seq)));
  }

  /**
   * Whether {@code (clientId, seq)} is certainly not stored yet, without asking the database: a
   * client's seqs only increase, and since the document was loaded this client committed only lower
   * seqs.
   */
  boolean isCertainlyNew(String clientId, long seq) {
    Long highest = highestSeq.get(clientId);
    return highest != null && seq > highest;
  }

  /** Whether memory holds every committed op after {@code revision} up to {@code head}; O(1). */
  boolean holdsAfter(long revision, long head) {
    return revision >= head || (!recent.isEmpty() && recent.peekFirst().revision() <= revision + 1);
  }

  /** The committed ops after {@code revision} up to {@code head}, if memory holds all of them. */
  Optional<List<Committed>> since(long revision, long head) {
    if (revision >= head) {
      return Optional.of(List.of());
    }
    if (!holdsAfter(revision, head)) {
      return Optional.empty();
    }
    // Walk back from the newest: O(ops after revision), not O(capacity).
    ArrayDeque<Committed> ops = new ArrayDeque<>((int) (head - revision));
    Iterator<Committed> newestFirst = recent.descendingIterator();
    while (newestFirst.hasNext()) {
      Committed committed = newestFirst.next();
      if (committed.revision() <= revision) {
        break;
      }
      ops.addFirst(committed);
    }
    return Optional.of(new ArrayList<>(ops));
  }
}
