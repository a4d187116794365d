/**
 * The WebSocket transport (Tyrus on the server's Grizzly listener): parses and shape-checks each
 * message, asks the {@link dev.tandem.sequencer.Authorizer}, hands the request to the {@link
 * dev.tandem.sequencer.Sequencers} and turns what they answer into frames on one bounded, ordered
 * outbox per socket. No OT happens here.
 */
package dev.tandem.sequencer.ws;
