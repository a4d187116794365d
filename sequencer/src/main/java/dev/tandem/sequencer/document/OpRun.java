package dev.tandem.sequencer.document;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Committed ops of one document, consecutive in revision order, that a subscriber receives together
 * (see {@link GroupDelivery}). The same run goes to every subscriber that receives exactly these
 * ops, so a transport encodes it once for all of them with {@link #encoded}.
 */
public final class OpRun {
  private final List<Committed> ops;
  private final Map<Function<OpRun, ?>, Object> encodings = new HashMap<>(2);

  OpRun(List<Committed> ops) {
    this.ops = ops;
  }

  public List<Committed> ops() {
    return ops;
  }

  /** {@code encoder.apply(this)}, computed once per encoder (pass the same function each time). */
  @SuppressWarnings("unchecked")
  public synchronized <T> T encoded(Function<OpRun, T> encoder) {
    return (T) encodings.computeIfAbsent(encoder, e -> encoder.apply(this));
  }
}
