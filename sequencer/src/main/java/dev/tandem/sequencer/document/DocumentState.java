package dev.tandem.sequencer.document;

import dev.tandem.ot.Rope;
import dev.tandem.persistence.DocumentSnapshot;
import java.util.List;
import java.util.Optional;

/**
 * What one document holds in memory, as committed: its text at the head revision and its recent
 * {@link History}. Every part of the document's work reads it; only a load ({@link #reset}) and a
 * committed group ({@link #apply}) change it. Not thread-safe: owned by the document's sequencer.
 */
final class DocumentState {
  private final String docId;
  private Rope text = Rope.empty();
  private long head;
  private History history;

  /** Where the (possibly pruned) history starts: revisions below it are gone. */
  private long historyStart;

  /** The text at the head as opens answer it, made on the first open after it changed. */
  private Snapshot headSnapshot;

  /** The last revision handed to the subscribers; a reload delivers the ops after it. */
  private long deliveredHead;

  DocumentState(String docId) {
    this.docId = docId;
  }

  String docId() {
    return docId;
  }

  long head() {
    return head;
  }

  /** The text at the head; immutable, so it stays valid while the sequencer moves on. */
  Rope text() {
    return text;
  }

  History history() {
    return history;
  }

  long historyStart() {
    return historyStart;
  }

  /** The history was pruned before {@code start} (a start only moves forward). */
  void pruned(long start) {
    historyStart = Math.max(historyStart, start);
  }

  /** Takes a loaded document, with an empty history. */
  void reset(DocumentSnapshot snapshot, long historyStart, int historyInMemory) {
    this.historyStart = historyStart;
    text = Rope.of(snapshot.text());
    headSnapshot = null; // a reload may hold other text at the same revision
    head = snapshot.revision();
    history = new History(historyInMemory);
  }

  /** Takes one committed op, the next revision. */
  void apply(Committed committed) {
    text = text.apply(committed.op());
    head = committed.revision();
    history.add(committed);
  }

  /** The committed ops after {@code revision} up to the head, if memory holds all of them. */
  Optional<List<Committed>> since(long revision) {
    return history.since(revision, head);
  }

  Snapshot headSnapshot() {
    if (headSnapshot == null || headSnapshot.revision() != head) {
      headSnapshot = new Snapshot(docId, head, text.toString());
    }
    return headSnapshot;
  }

  long deliveredHead() {
    return deliveredHead;
  }

  /** Every op up to the head has been handed to the subscribers. */
  void delivered() {
    deliveredHead = head;
  }
}
