package dev.tandem.sequencer.auth;

import java.util.Comparator;

/**
 * A glob on document ids: {@code *} matches any run of characters (also none), {@code ?} exactly
 * one, every other character itself. Document ids use {@code A-Z a-z 0-9 - _ . ~ : @}, so a pattern
 * is those characters plus the two wildcards, 1 to {@value #MAX_LENGTH} of them. Matching is
 * case-sensitive and whole-id: {@code team-42-*} matches {@code team-42-a} but not {@code team-4-a}
 * nor {@code xteam-42-a}.
 *
 * <p>{@link #MOST_SPECIFIC_FIRST} orders patterns so that the first one matching an id is the most
 * specific one; see {@link DocumentRoles} for the rule.
 */
public record DocPattern(String text) {
  public static final int MAX_LENGTH = 256;

  /**
   * The most specific pattern first: an exact id (no wildcard) before any glob; then more literal
   * (non-wildcard) characters first; then fewer {@code *} first; then more {@code ?} first (each
   * {@code ?} demands one more character). Patterns equal on all four are equally specific.
   */
  public static final Comparator<DocPattern> MOST_SPECIFIC_FIRST =
      Comparator.comparing(DocPattern::isGlob)
          .thenComparing(Comparator.comparingInt(DocPattern::literalCount).reversed())
          .thenComparingInt(DocPattern::starCount)
          .thenComparing(Comparator.comparingInt(DocPattern::questionCount).reversed());

  /**
   * @throws IllegalArgumentException if {@code text} is empty, too long or has a character that is
   *     neither a document id character nor a wildcard
   */
  public DocPattern {
    if (text.isEmpty() || text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "document pattern length " + text.length() + " (expected: 1 to " + MAX_LENGTH + ")");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!dev.tandem.persistence.Ids.isDocumentIdCharacter(c) && c != '*' && c != '?') {
        throw new IllegalArgumentException(
            "document pattern has character '"
                + (Character.isISOControl(c) ? "\\u" + Integer.toHexString(c) : c)
                + "' at "
                + i
                + " (expected: letters, digits, - _ . ~ : @ and the wildcards * ?)");
      }
    }
  }

  /** Whether the whole of {@code docId} matches this pattern. */
  public boolean matches(String docId) {
    // Greedy two-pointer glob match: on a mismatch, let the last '*' swallow one more character.
    // O(pattern x id) at worst, with no regular expression (and so no catastrophic backtracking).
    int p = 0;
    int d = 0;
    int star = -1;
    int starMatchEnd = 0;
    while (d < docId.length()) {
      if (p < text.length() && (text.charAt(p) == '?' || text.charAt(p) == docId.charAt(d))) {
        p++;
        d++;
      } else if (p < text.length() && text.charAt(p) == '*') {
        star = p++;
        starMatchEnd = d;
      } else if (star >= 0) {
        p = star + 1;
        d = ++starMatchEnd;
      } else {
        return false;
      }
    }
    while (p < text.length() && text.charAt(p) == '*') {
      p++;
    }
    return p == text.length();
  }

  /** Whether the pattern has a wildcard; one without is an exact document id. */
  public boolean isGlob() {
    return starCount() + questionCount() > 0;
  }

  int literalCount() {
    return text.length() - starCount() - questionCount();
  }

  int starCount() {
    return count('*');
  }

  int questionCount() {
    return count('?');
  }

  private int count(char wildcard) {
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == wildcard) {
        n++;
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return text;
  }
}
