/**
 * The OT algebra of Tandem: operations over a document of Unicode code points.
 *
 * <p>An operation spans the whole document it applies to and is a sequence of retains, inserts and
 * deletes. Every length and position counts code points, never UTF-16 units. The laws that every
 * other module relies on are stated on {@link dev.tandem.ot.TextOperation}.
 */
package dev.tandem.ot;
