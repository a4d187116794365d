package dev.tandem.sequencer.auth;

import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import java.time.Instant;

/**
 * Decides who may do what, per document and per role: the successor of {@link Authorizer}, whose
 * user-id string cannot carry a token's per-document roles, display name or expiry.
 *
 * <p>A transport authenticates once ({@code hello}, or each REST request) and keeps the {@link
 * Principal}; every later action asks {@link #check} with the role it needs: {@link Role#READ} for
 * open, text, history, events and presence; {@link Role#WRITE} for submit and create; {@link
 * Role#ADMIN} for checkpoints. Both methods either return or throw a {@link TandemException}:
 * {@code unauthorized} for a missing, invalid or expired token, {@code forbidden} for a valid one
 * without the right.
 *
 * <p>{@link #from(Authorizer)} keeps a custom {@link Authorizer} working behind this interface.
 */
public interface RoleAuthorizer {
  /**
   * The principal holding {@code token}.
   *
   * @param token as the client sent it; null or empty when it sent none
   * @throws TandemException {@code unauthorized} if the token is missing or not valid
   */
  Principal authenticate(String token);

  /**
   * Allows {@code principal} to do on {@code docId} what {@code required} allows, or throws.
   *
   * @throws TandemException {@code unauthorized} if the principal's token has expired since, {@code
   *     forbidden} if it grants less than {@code required} on {@code docId}
   */
  void check(Principal principal, String docId, Role required);

  /** Whether {@link #check} allows it; an expired token allows nothing. */
  default boolean allows(Principal principal, String docId, Role required) {
    try {
      check(principal, docId, required);
      return true;
    } catch (TandemException e) {
      return false;
    }
  }

  /**
   * Until when {@link #check} accepts {@code principal}'s token: its expiry, plus any clock skew
   * this authorizer allows; {@link Instant#MAX} for never. A live connection is closed then.
   */
  default Instant acceptedUntil(Principal principal) {
    return principal.expiresAt();
  }

  /**
   * The principal of a fresh {@code token} that replaces {@code current}'s on a live connection
   * (the WebSocket {@code auth} message): it must name the same user.
   *
   * @throws TandemException {@code unauthorized} if the token is not valid or names another user
   */
  default Principal reauthenticate(Principal current, String token) {
    Principal fresh = authenticate(token);
    if (!fresh.userId().equals(current.userId())) {
      throw Errors.unauthorized("the new token is for another user than this connection's");
    }
    return fresh;
  }

  /**
   * Whether a request needs a valid token at all: false only for the development authorizer that
   * lets everyone in ({@link Authorizer#allowAll()}, also behind {@link #from}), so that what that
   * one would show anyone ({@code /metrics}) stays closed once any real authentication is
   * configured.
   */
  default boolean requiresToken() {
    return true;
  }

  /**
   * Whether {@link #check} answers from memory, never waiting for a service, a store or a lock held
   * long: then the server may check a quiet socket's message on the thread that read it, one
   * hand-off fewer ({@code InboundTurns}). False unless an authorizer says so; the token authorizer
   * and {@link Authorizer#allowAll()} do.
   */
  default boolean checksFromMemory() {
    return false;
  }

  /**
   * A custom {@link Authorizer} behind this interface: {@code read} asks its {@code checkRead},
   * {@code write} and {@code admin} its {@code checkWrite} (it knows no admin role). A user id that
   * breaks the id rule (1–200 code points, well-formed, no control character) refuses the token
   * with {@code bad_request}.
   */
  static RoleAuthorizer from(Authorizer authorizer) {
    return new RoleAuthorizer() {
      @Override
      public Principal authenticate(String token) {
        String user = authorizer.authenticate(token == null ? "" : token);
        return Principal.user(checkedUserId(user));
      }

      @Override
      public void check(Principal principal, String docId, Role required) {
        if (required == Role.READ) {
          authorizer.checkRead(principal.userId(), docId);
        } else {
          authorizer.checkWrite(principal.userId(), docId);
        }
      }

      @Override
      public boolean requiresToken() {
        return authorizer.requiresToken();
      }

      @Override
      public boolean checksFromMemory() {
        return authorizer.checksFromMemory();
      }

      @Override
      public String toString() {
        return authorizer.toString();
      }
    };
  }

  /**
   * {@code userId} if it keeps the id rule of {@link dev.tandem.persistence.Ids}.
   *
   * @throws TandemException {@code bad_request}: the authorizer named no valid user
   */
  private static String checkedUserId(String userId) {
    String problem = dev.tandem.persistence.Ids.userIdProblem(userId);
    if (problem != null) {
      throw Errors.badRequest("the token names no valid user: " + problem);
    }
    return userId;
  }
}
