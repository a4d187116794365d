package dev.tandem.sequencer.archive;

import java.time.Instant;

/**
 * {@link Instant#toString()} (ISO-8601 in UTC, the fraction in groups of three digits, none when
 * zero), with the date and time of day formatted once per second: an export writes a time for every
 * op, consecutive ops mostly fall in the same second, and the JDK's formatter was a sixth of an
 * export's CPU. Not thread-safe; one per writer.
 */
final class InstantText {
  private long second = Long.MIN_VALUE;
  private String prefix; // the text of the whole second, without its 'Z'

  String format(Instant instant) {
    if (instant.getEpochSecond() != second) {
      String whole = Instant.ofEpochSecond(instant.getEpochSecond()).toString();
      prefix = whole.substring(0, whole.length() - 1);
      second = instant.getEpochSecond();
    }
    int nanos = instant.getNano();
    if (nanos == 0) {
      return prefix + 'Z';
    }
    // As DateTimeFormatter.ISO_INSTANT: 3, 6 or 9 digits, whichever shows every non-zero one.
    String fraction;
    if (nanos % 1_000_000 == 0) {
      fraction = Integer.toString(nanos / 1_000_000 + 1_000).substring(1);
    } else if (nanos % 1_000 == 0) {
      fraction = Integer.toString(nanos / 1_000 + 1_000_000).substring(1);
    } else {
      fraction = Integer.toString(nanos + 1_000_000_000).substring(1);
    }
    return prefix + '.' + fraction + 'Z';
  }
}
