package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Own selections against a stand-in server ({@link FakeServer}): a burst of them (a drag, a held
 * arrow key) goes out as the first and then the latest ones, at most one per {@link
 * TandemDocument#SELECTION_THROTTLE}, not one message per call.
 */
class TandemClientSelectionTest {
  private static final int CALLS = 200;

  @Test
  void aBurstOfSelectionsSendsTheFirstAndTheLatest() throws Exception {
    try (FakeServer server = new FakeServer();
        TandemClient client = server.client("alice").build()) {
      TandemDocument doc = client.open("a").get(30, TimeUnit.SECONDS);
      for (int i = 1; i <= CALLS; i++) {
        doc.setSelection(List.of(new SelectionRange(i, i)), Map.of("step", i));
      }
      String last = "{\"step\":" + CALLS + "}";
      Await.until("the latest selection", () -> server.presenceMetas().contains(last));
      List<String> sent = server.presenceMetas();
      assertEquals("{\"step\":1}", sent.get(0));
      assertEquals(last, sent.get(sent.size() - 1));
      // unthrottled, every call is a message; the throttle lets one out per 100 ms of the burst
      assertTrue(sent.size() < CALLS / 2, sent.size() + " messages for " + CALLS + " calls");
    }
  }
}
