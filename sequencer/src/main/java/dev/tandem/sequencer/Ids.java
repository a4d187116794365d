package dev.tandem.sequencer;

/**
 * The shapes of the identifiers that clients choose. A document id appears in URLs, so it is kept
 * to a URL-safe alphabet; a client id is any 1–64 characters without control characters.
 */
public final class Ids {
  public static final int MAX_DOCUMENT_ID_LENGTH = 128;
  public static final int MAX_CLIENT_ID_LENGTH = 64;

  private Ids() {}

  /**
   * Checks a document id: 1–128 characters of {@code A-Z a-z 0-9 - _ . ~ : @}.
   *
   * @throws TandemException {@code bad_request} otherwise
   */
  public static String checkDocumentId(String docId) {
    if (docId.isEmpty() || docId.length() > MAX_DOCUMENT_ID_LENGTH) {
      throw TandemException.badRequest(
          "document id length "
              + docId.length()
              + " (expected: 1 to "
              + MAX_DOCUMENT_ID_LENGTH
              + ")");
    }
    for (int i = 0; i < docId.length(); i++) {
      char c = docId.charAt(i);
      if (!isDocumentIdCharacter(c)) {
        throw TandemException.badRequest(
            "document id has character '"
                + c
                + "' at "
                + i
                + " (expected: letters, digits and - _ . ~ : @)");
      }
    }
    return docId;
  }

  /** Whether {@code c} may appear in a document id: {@code A-Z a-z 0-9 - _ . ~ : @}. */
  public static boolean isDocumentIdCharacter(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "-_.~:@".indexOf(c) >= 0;
  }

  /**
   * Checks a client id: 1–64 characters, none of them a control character.
   *
   * @throws TandemException {@code bad_request} otherwise
   */
  public static String checkClientId(String clientId) {
    if (clientId.isEmpty() || clientId.length() > MAX_CLIENT_ID_LENGTH) {
      throw TandemException.badRequest(
          "client id length "
              + clientId.length()
              + " (expected: 1 to "
              + MAX_CLIENT_ID_LENGTH
              + ")");
    }
    if (clientId.chars().anyMatch(Character::isISOControl)) {
      throw TandemException.badRequest("client id contains a control character");
    }
    return clientId;
  }
}
