/**
 * Signed tokens and per-document roles. {@link dev.tandem.sequencer.auth.TokenVerifier} checks a
 * JWT (HS256 with a shared secret, or RS256/ES256 against a JWKS) with nimbus-jose-jwt and reads
 * the {@link dev.tandem.sequencer.auth.Principal} it names; {@link
 * dev.tandem.sequencer.auth.DocumentRoles} resolves the claim {@code "tandem": {"docs": {PATTERN:
 * ROLE}}} to a {@link dev.tandem.sequencer.auth.Role} per document; {@link
 * dev.tandem.sequencer.auth.TokenAuthorizer} puts the two behind {@link
 * dev.tandem.sequencer.auth.RoleAuthorizer}, the per-role successor of {@link
 * dev.tandem.sequencer.auth.Authorizer}. The command {@code tandem token} ({@code
 * dev.tandem.sequencer.cli.TokenCommand}) mints development tokens. {@link
 * dev.tandem.sequencer.auth.AllowedOrigins} and {@link dev.tandem.sequencer.auth.AllowedHosts} are
 * the {@code Origin} and {@code Host} allow-lists. {@code docs/security.md} has the threat model.
 *
 * <p>This package depends on the server's error codes only; the transports depend on it, never the
 * other way round.
 */
package dev.tandem.sequencer.auth;
