/**
 * The protocol's JSON, shared by the WebSocket and REST transports: {@link
 * dev.tandem.sequencer.protocol.Json} parses and writes, {@link
 * dev.tandem.sequencer.protocol.Fields} checks a message's fields, {@link
 * dev.tandem.sequencer.protocol.Ids} the document and client ids, and {@link
 * dev.tandem.sequencer.protocol.PresenceUpdate} is one presence message.
 */
package dev.tandem.sequencer.protocol;
