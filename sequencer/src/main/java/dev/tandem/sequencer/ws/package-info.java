/**
 * The WebSocket transport (Tyrus on the server's Grizzly listener): parses and shape-checks each
 * message, asks the {@link dev.tandem.sequencer.auth.Authorizer}, hands the request to the {@link
 * dev.tandem.sequencer.document.Sequencers} and turns what they answer into frames on one bounded,
 * ordered outbox per socket. No OT happens here.
 */
package dev.tandem.sequencer.ws;
