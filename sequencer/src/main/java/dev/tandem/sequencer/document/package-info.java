/**
 * One document's single writer. {@link dev.tandem.sequencer.document.Sequencers} routes each
 * request to the {@link dev.tandem.sequencer.document.DocumentSequencer} of its document, which
 * runs everything for that document on one {@link dev.tandem.sequencer.document.SerialExecutor}: it
 * loads the document, orders and transforms submits, has the {@link
 * dev.tandem.sequencer.document.Committer} store a group of them in one transaction, and only then
 * answers each sender and delivers the ops to every {@link
 * dev.tandem.sequencer.document.Subscriber}. The transports ({@code ws}, {@code rest}) see only
 * {@code Sequencers}, {@code Subscriber}, {@code SubmitReply} and the values they carry.
 */
package dev.tandem.sequencer.document;
