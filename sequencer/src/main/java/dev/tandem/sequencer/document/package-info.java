/**
 * One document's single writer. {@link dev.tandem.sequencer.document.Sequencers} routes each
 * request to the {@link dev.tandem.sequencer.document.DocumentSequencer} of its document, which
 * runs everything for that document on one {@link dev.tandem.sequencer.document.SerialExecutor},
 * split by job: {@link dev.tandem.sequencer.document.Loading} (load, reload), {@link
 * dev.tandem.sequencer.document.Submits} (a submit's path: queue, sequencing, group commit,
 * delivery), {@link dev.tandem.sequencer.document.CatchUps}, {@link
 * dev.tandem.sequencer.document.Subscribers} (and presence) and {@link
 * dev.tandem.sequencer.document.Checkpoints}, over one {@link
 * dev.tandem.sequencer.document.DocumentState}. A submit is one {@link
 * dev.tandem.sequencer.document.SubmitRequest}; a group of them is one {@link
 * dev.tandem.sequencer.document.GroupCommit}, stored in one transaction by the {@link
 * dev.tandem.sequencer.document.Committer}. The transports ({@code ws}, {@code rest}) see only
 * {@code Sequencers}, {@code Subscriber}, {@code SubmitReply} and the values they carry. {@code
 * docs/architecture.md} follows one edit through these classes.
 */
package dev.tandem.sequencer.document;
