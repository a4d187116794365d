/**
 * Errors: {@link dev.tandem.sequencer.error.ErrorCode} is the one table of stable error codes (with
 * the HTTP status and WebSocket close code of each), {@link dev.tandem.sequencer.error.Errors} the
 * one place that makes them (factories grouped by code), {@link
 * dev.tandem.sequencer.error.TandemException} carries one, and {@link
 * dev.tandem.sequencer.error.BadRequestLog} logs refused requests at a bounded rate. Depends on
 * nothing else in the server.
 */
package dev.tandem.sequencer.error;
