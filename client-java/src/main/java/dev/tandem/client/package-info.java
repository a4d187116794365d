/**
 * The Java client of Tandem's WebSocket protocol (DESIGN.md, "Wire protocol").
 *
 * <p>{@link dev.tandem.client.TandemClient} owns one socket (one per owner node on a cluster) and
 * many {@link dev.tandem.client.TandemDocument}s. Each document runs the ot.js client state machine
 * ({@code ClientState}: synchronized, awaiting confirm, awaiting with buffer) inside a {@code
 * DocumentSession}, which holds no I/O and is tested against a simulated sequencer. The WebSocket
 * is the JDK's {@code java.net.http.WebSocket}; JSON is Jackson's, ops go through {@link
 * dev.tandem.ot.OperationJson}.
 *
 * <p>Tokens: a static token, or a {@link dev.tandem.client.TokenProvider} asked at every connect
 * and before the token expires (then sent in {@code auth}); {@link dev.tandem.client.Identity} is
 * who the server says the client is.
 *
 * <p>Threading: every client has one event thread; all state changes and all listener calls happen
 * there, in order. A token provider runs on a thread of its own.
 */
package dev.tandem.client;
