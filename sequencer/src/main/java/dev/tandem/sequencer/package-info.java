/**
 * The Tandem server: one {@link dev.tandem.sequencer.DocumentSequencer} per active document orders
 * every change, transforms it against what happened concurrently, has the {@link
 * dev.tandem.sequencer.Committer} store it durably in a group commit, and only then acknowledges it
 * and broadcasts it to every other {@link dev.tandem.sequencer.Subscriber}. One op's whole path
 * reads top to bottom in {@link dev.tandem.sequencer.SubmitRequest}.
 *
 * <p>{@link dev.tandem.sequencer.TandemServer} puts it on one port with its transports ({@code
 * .ws}, {@code .rest}); {@link dev.tandem.sequencer.ErrorCode} is the one table of error codes.
 */
package dev.tandem.sequencer;
