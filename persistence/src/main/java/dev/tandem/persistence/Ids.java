package dev.tandem.persistence;

import dev.tandem.ot.CodePoints;

/**
 * The one rule for the ids Tandem stores, shared by every layer (the sequencer checks them at its
 * edge with the same methods, the clients copy the rule):
 *
 * <ul>
 *   <li>a <b>document id</b> is 1–128 characters of {@code A-Z a-z 0-9 - _ . ~ : @} (it appears in
 *       URLs unescaped);
 *   <li>a <b>client id</b> is 1–64 code points, a <b>user id</b> 1–200, of well-formed UTF-16 (no
 *       lone surrogate, which has no UTF-8 form) without control characters (U+0000–U+001F,
 *       U+007F–U+009F).
 * </ul>
 *
 * Each {@code ...Problem} method says what is wrong, or returns null; the {@code require...}
 * methods throw it as an {@link IllegalArgumentException}, before any statement is sent.
 */
public final class Ids {
  public static final int MAX_DOCUMENT_ID_LENGTH = 128;
  public static final int MAX_CLIENT_ID_LENGTH = 64;
  public static final int MAX_USER_ID_LENGTH = 200;
  private static final String DOCUMENT_ID_PUNCTUATION = "-_.~:@";

  private Ids() {}

  /** What makes {@code docId} no document id, or null if it is one. */
  public static String documentIdProblem(String docId) {
    if (docId == null) {
      return "document id is missing";
    }
    if (docId.isEmpty() || docId.length() > MAX_DOCUMENT_ID_LENGTH) {
      return "document id length "
          + docId.length()
          + " (expected: 1 to "
          + MAX_DOCUMENT_ID_LENGTH
          + ")";
    }
    if (docId.equals(".") || docId.equals("..")) { // URLs would resolve them as dot segments
      return "document id '" + docId + "' (expected: not '.' or '..')";
    }
    for (int i = 0; i < docId.length(); i++) {
      char c = docId.charAt(i);
      if (!isDocumentIdCharacter(c)) {
        return "document id has character U+"
            + hex(c)
            + " at "
            + i
            + " (expected: letters, digits and - _ . ~ : @)";
      }
    }
    return null;
  }

  /** Whether {@code c} may appear in a document id: {@code A-Z a-z 0-9 - _ . ~ : @}. */
  public static boolean isDocumentIdCharacter(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || DOCUMENT_ID_PUNCTUATION.indexOf(c) >= 0;
  }

  /** What makes {@code clientId} no client id, or null if it is one. */
  public static String clientIdProblem(String clientId) {
    return textIdProblem(clientId, "client id", MAX_CLIENT_ID_LENGTH);
  }

  /** What makes {@code userId} no user id, or null if it is one. */
  public static String userIdProblem(String userId) {
    return textIdProblem(userId, "user id", MAX_USER_ID_LENGTH);
  }

  static String requireDocId(String docId) {
    return require(docId, documentIdProblem(docId));
  }

  static String requireClientId(String clientId) {
    return require(clientId, clientIdProblem(clientId));
  }

  static String requireUserId(String userId) {
    return require(userId, userIdProblem(userId));
  }

  private static String require(String id, String problem) {
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    return id;
  }

  private static String textIdProblem(String id, String what, int maxLength) {
    if (id == null) {
      return what + " is missing";
    }
    int lone = CodePoints.firstLoneSurrogate(id);
    if (lone >= 0) {
      return what + " holds a lone surrogate at UTF-16 index " + lone + " (expected: none)";
    }
    int length = CodePoints.count(id);
    if (length < 1 || length > maxLength) {
      return what + " length : " + length + " (expected: 1 to " + maxLength + " code points)";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c)) {
        return what + " holds control character U+" + hex(c) + " at " + i + " (expected: none)";
      }
    }
    return null;
  }

  private static String hex(char c) {
    return String.format("%04X", (int) c);
  }
}
