package dev.tandem.persistence;

import dev.tandem.ot.CodePoints;
import dev.tandem.ot.Component;
import dev.tandem.ot.Insert;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What PostgreSQL's {@code text} can hold: well-formed UTF-16 without U+0000. Checked before
 * anything is sent, so such text is refused whole with an {@link UnstorableTextException}.
 */
final class TextChecks {
  private TextChecks() {}

  static void requireStorable(String text, String docId, Long revision) {
    int nul = text.indexOf('\0');
    if (nul >= 0) {
      throw new UnstorableTextException(
          "text of document '"
              + docId
              + "'"
              + (revision == null ? "" : " at revision " + revision)
              + " holds U+0000 at UTF-16 index "
              + nul
              + ", which PostgreSQL cannot store (expected: no U+0000)",
          docId,
          revision,
          null);
    }
    int lone = CodePoints.firstLoneSurrogate(text);
    if (lone >= 0) {
      throw new UnstorableTextException(
          "text of document '"
              + docId
              + "' holds a lone surrogate at UTF-16 index "
              + lone
              + " (expected: well-formed UTF-16)",
          docId,
          revision,
          null);
    }
  }

  static void requireStorable(StoredOp stored) {
    for (Component component : stored.op().components()) {
      if (component instanceof Insert insert) {
        requireStorable(insert.text(), stored.docId(), stored.revision());
      }
    }
  }

  static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
