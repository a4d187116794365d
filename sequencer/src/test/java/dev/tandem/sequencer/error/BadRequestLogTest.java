package dev.tandem.sequencer.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The rate limit of the bad-request log, on a clock the test moves. */
class BadRequestLogTest {
  private final List<String> lines = new ArrayList<>();
  private final AtomicLong now = new AtomicLong(1_000);
  private final BadRequestLog log =
      new BadRequestLog(lines::add, 3, Duration.ofSeconds(10), now::get);

  @Test
  void atMostNLinesPerIntervalThenTheCountOfTheOnesLeftOut() {
    for (int i = 0; i < 100; i++) {
      log.log("REST", TandemException.badRequest("bad " + i));
    }
    assertEquals(
        List.of(
            "bad request (REST): bad_request bad 0",
            "bad request (REST): bad_request bad 1",
            "bad request (REST): bad_request bad 2"),
        lines);

    now.addAndGet(Duration.ofSeconds(9).toNanos());
    log.log("REST", TandemException.badRequest("still the same interval"));
    assertEquals(3, lines.size());

    now.addAndGet(Duration.ofSeconds(1).toNanos());
    log.log("WebSocket", new TandemException(ErrorCode.INVALID_OP, "op[0] is 1.5"));
    assertEquals(
        List.of(
            "98 more bad requests were not logged (at most 3 per 10 s)",
            "bad request (WebSocket): invalid_op op[0] is 1.5"),
        lines.subList(3, 5));
    log.log("REST", TandemException.badRequest("next"));
    assertEquals("bad request (REST): bad_request next", lines.get(5), "counted once");
  }

  @Test
  void aMessageIsOneLineOfBoundedLength() {
    log.log("REST", TandemException.badRequest("a\nfake line\r\u0000" + "x".repeat(1000)));
    assertEquals(1, lines.size());
    String line = lines.get(0);
    assertEquals("bad request (REST): bad_request a?fake line??" + "x".repeat(287) + "…", line);
  }
}
