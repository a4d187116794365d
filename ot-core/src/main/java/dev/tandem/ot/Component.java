package dev.tandem.ot;

/**
 * One step of a {@link TextOperation}: keep ({@link Retain}), add ({@link Insert}) or remove
 * ({@link Delete}) code points at the operation's cursor, which starts at the beginning of the
 * document and moves forward only.
 *
 * <p>Every component is non-empty: counts are positive and insert texts are non-empty, well-formed
 * UTF-16. Lengths count Unicode code points.
 */
public sealed interface Component permits Retain, Insert, Delete {

  /** How many code points this component spans: of the base text, or inserted for an insert. */
  int length();
}
