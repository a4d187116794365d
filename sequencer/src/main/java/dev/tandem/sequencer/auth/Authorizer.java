package dev.tandem.sequencer.auth;

import dev.tandem.sequencer.error.ErrorCode;
import dev.tandem.sequencer.error.TandemException;

/**
 * The one place that decides who may do what. Every WebSocket {@code hello}, {@code open} and
 * {@code submit}, every REST call and every SSE stream asks it, so real authentication and
 * per-document roles replace this seam without touching the transports.
 *
 * <p>Each method either returns normally or throws a {@link TandemException} with {@link
 * ErrorCode#UNAUTHORIZED} or {@link ErrorCode#FORBIDDEN}.
 */
public interface Authorizer {
  /**
   * Identifies the user holding {@code token} (possibly empty).
   *
   * @return the user id recorded with the user's ops and shown in presence: 1–200 code points of
   *     well-formed UTF-16 without control characters ({@link dev.tandem.persistence.Ids}); the
   *     server refuses a request whose token yields any other answer with {@code bad_request}
   */
  String authenticate(String token);

  /** Allows {@code user} to read {@code docId} (open, text, history, events) or throws. */
  void checkRead(String user, String docId);

  /**
   * Allows {@code user} to change or create {@code docId} (submit, create, checkpoint) or throws.
   */
  void checkWrite(String user, String docId);

  /**
   * Whether a request needs a valid token at all: false only for {@link #allowAll()}, so that what
   * the server would otherwise show anyone ({@code /metrics}) stays closed once any real
   * authentication is configured. A wrapper answers for the authorizer it wraps.
   */
  default boolean requiresToken() {
    return true;
  }

  /**
   * Whether {@link #checkRead} and {@link #checkWrite} answer from memory, never waiting for a
   * service, a store or a lock held long: then the server may check a quiet socket's message on the
   * thread that read it, one hand-off fewer. False unless an authorizer says so.
   */
  default boolean checksFromMemory() {
    return false;
  }

  /** Lets everyone do everything; every user is {@value AllowAll#USER}. For development. */
  static Authorizer allowAll() {
    return new AllowAll();
  }

  /** The allow-all authorizer of {@link #allowAll()}. */
  final class AllowAll implements Authorizer {
    public static final String USER = "anonymous";

    private AllowAll() {}

    @Override
    public String authenticate(String token) {
      return USER;
    }

    @Override
    public void checkRead(String user, String docId) {}

    @Override
    public void checkWrite(String user, String docId) {}

    @Override
    public boolean requiresToken() {
      return false;
    }

    @Override
    public boolean checksFromMemory() {
      return true;
    }

    @Override
    public String toString() {
      return "allow-all";
    }
  }
}
