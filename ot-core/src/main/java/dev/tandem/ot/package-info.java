/**
 * The OT algebra of Tandem: operations over a document of Unicode code points.
 *
 * <p>An operation ({@link dev.tandem.ot.TextOperation}) spans the whole document it applies to and
 * is a sequence of {@link dev.tandem.ot.Retain}, {@link dev.tandem.ot.Insert} and {@link
 * dev.tandem.ot.Delete} components, always in canonical form. Every length and position counts code
 * points, never UTF-16 units ({@link dev.tandem.ot.CodePoints} converts at the edge). The algebra
 * is ot.js's: {@code apply}, {@code compose}, {@code transform} (the left argument's insert first
 * on a tie), {@code invert} and {@code transformPosition}; its laws are stated on {@link
 * dev.tandem.ot.TextOperation} and tested with seeded random operations and with the JSON vectors
 * in {@code src/test/resources/vectors/}, which the JavaScript client passes too. {@link
 * dev.tandem.ot.OperationJson} reads and writes the wire form {@code [5, "hi", -3, 10]}. Every
 * invalid input throws {@link dev.tandem.ot.InvalidOperationException}. The package has no runtime
 * dependency.
 */
package dev.tandem.ot;
