package dev.tandem.sequencer.document;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A document's text at its head, as {@code open} answers it. The document hands the same snapshot
 * to every subscriber that opens it at that revision, so a large document is turned into a string
 * once, and a transport encodes its frame once for all of them with {@link #encoded}: forty sockets
 * opening a 1.6 MB document hold one copy of its text, not forty.
 */
public final class Snapshot {
  private final String docId;
  private final long revision;
  private final String text;
  private final Map<Function<Snapshot, ?>, Object> encodings = new HashMap<>(2);

  Snapshot(String docId, long revision, String text) {
    this.docId = docId;
    this.revision = revision;
    this.text = text;
  }

  public String docId() {
    return docId;
  }

  public long revision() {
    return revision;
  }

  public String text() {
    return text;
  }

  /** {@code encoder.apply(this)}, computed once per encoder (pass the same function each time). */
  @SuppressWarnings("unchecked")
  public synchronized <T> T encoded(Function<Snapshot, T> encoder) {
    return (T) encodings.computeIfAbsent(encoder, e -> encoder.apply(this));
  }
}
