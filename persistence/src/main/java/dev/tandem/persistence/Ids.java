package dev.tandem.persistence;

/**
 * The limits the schema puts on ids (documents, users: 1-200 code points; clients: 1-64, as the
 * wire protocol says; no control characters), checked before a statement is sent so that bad input
 * gets a clear {@link IllegalArgumentException} rather than a constraint violation.
 */
final class Ids {
  static final int MAX_DOC_ID_LENGTH = 200;
  static final int MAX_CLIENT_ID_LENGTH = 64;
  static final int MAX_USER_ID_LENGTH = 200;

  private Ids() {}

  static String requireDocId(String docId) {
    return require(docId, "doc id", MAX_DOC_ID_LENGTH);
  }

  static String require(String id, String what, int maxLength) {
    if (id == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    int length = id.codePointCount(0, id.length());
    if (length < 1 || length > maxLength) {
      throw new IllegalArgumentException(
          what + " length : " + length + " (expected: 1 to " + maxLength + ")");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            what
                + " '"
                + id.replace("\0", "\\0")
                + "' holds control character U+"
                + String.format("%04X", (int) c)
                + " (expected: none)");
      }
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c)
              && i + 1 < id.length()
              && Character.isLowSurrogate(id.charAt(++i)))) {
        throw new IllegalArgumentException(what + " holds a lone surrogate (expected: none)");
      }
    }
    return id;
  }
}
