/**
 * The HTTP edge in front of every endpoint: filters that refuse foreign hosts, undecodable paths
 * and bytes that are not HTTP before any endpoint sees them ({@link
 * dev.tandem.sequencer.server.RequestFilter}), the WebSocket admission gate, {@code /health}, and
 * the {@link dev.tandem.sequencer.server.OutboundBudget} the transports share.
 */
package dev.tandem.sequencer.server;
