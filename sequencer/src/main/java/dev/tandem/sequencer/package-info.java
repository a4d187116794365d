/**
 * The Tandem server. {@link dev.tandem.sequencer.TandemServer} puts everything on one port; the
 * packages, from the bottom up (each depends only on those above it in this list, never on one
 * below):
 *
 * <ul>
 *   <li>{@code error}: the one table of error codes and the exception that carries one.
 *   <li>{@code protocol}: the messages' JSON: parsing, field checks, ids, presence.
 *   <li>{@code auth}: tokens, roles, the {@link dev.tandem.sequencer.auth.Authorizer} a deployment
 *       plugs in, the allow-lists.
 *   <li>{@code config}: every setting ({@link dev.tandem.sequencer.config.TandemConfig}).
 *   <li>{@code metrics}: the counters and {@code /metrics}.
 *   <li>{@code document}: one document's single writer: load, queue, transform, group commit,
 *       deliver, presence, checkpoints, idle unload ({@link
 *       dev.tandem.sequencer.document.Sequencers} routes to it).
 *   <li>{@code server}: the HTTP edge in front of every endpoint (request filters, health) and the
 *       outbound budget the transports share.
 *   <li>{@code ws}, {@code rest}: the transports (WebSocket; REST and SSE). No OT happens there.
 *   <li>{@code cli}: command-line tools.
 * </ul>
 *
 * <p>{@code docs/architecture.md} follows one edit through the classes in order.
 */
package dev.tandem.sequencer;
