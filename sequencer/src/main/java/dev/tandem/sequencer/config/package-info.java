/**
 * Every setting of the server in one record, {@link dev.tandem.sequencer.config.TandemConfig}: its
 * flag, environment variable and default, read once at start and printed.
 */
package dev.tandem.sequencer.config;
