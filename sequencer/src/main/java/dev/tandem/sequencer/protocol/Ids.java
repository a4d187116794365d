package dev.tandem.sequencer.protocol;

import dev.tandem.sequencer.auth.Authorizer;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;

/**
 * The edge's check of the ids clients and the {@link Authorizer} hand in: the one rule of {@link
 * dev.tandem.persistence.Ids} (documents: 1–128 characters of {@code A-Z a-z 0-9 - _ . ~ : @};
 * clients: 1–64 code points, users: 1–200, well-formed and without control characters), refused
 * with {@code bad_request}.
 */
public final class Ids {
  public static final int MAX_DOCUMENT_ID_LENGTH =
      dev.tandem.persistence.Ids.MAX_DOCUMENT_ID_LENGTH;
  public static final int MAX_CLIENT_ID_LENGTH = dev.tandem.persistence.Ids.MAX_CLIENT_ID_LENGTH;
  public static final int MAX_USER_ID_LENGTH = dev.tandem.persistence.Ids.MAX_USER_ID_LENGTH;

  private Ids() {}

  /**
   * Checks a document id.
   *
   * @throws TandemException {@code bad_request} if it breaks the rule
   */
  public static String checkDocumentId(String docId) {
    return check(docId, dev.tandem.persistence.Ids.documentIdProblem(docId));
  }

  /**
   * Checks a client id.
   *
   * @throws TandemException {@code bad_request} if it breaks the rule
   */
  public static String checkClientId(String clientId) {
    return check(clientId, dev.tandem.persistence.Ids.clientIdProblem(clientId));
  }

  /**
   * Checks a user id.
   *
   * @throws TandemException {@code bad_request} if it breaks the rule
   */
  public static String checkUserId(String userId) {
    return check(userId, dev.tandem.persistence.Ids.userIdProblem(userId));
  }

  private static String check(String id, String problem) {
    if (problem != null) {
      throw Errors.badRequest(problem);
    }
    return id;
  }
}
