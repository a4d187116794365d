/** Tandem sequencer. */
package dev.tandem.sequencer;
