package dev.tandem.sequencer.document;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.ot.TextOperation;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Submits handed to a document are taken into its queue many at a time, in one step of its
 * executor, with exactly one step queued while any wait.
 */
class ArrivalsTest {
  private static final Metrics METRICS = new Metrics();

  private final List<Runnable> steps = new ArrayList<>(); // the document's executor, by hand
  private final Arrivals arrivals = new Arrivals(() -> steps.add(this::step));
  private final List<SubmitRequest> taken = new ArrayList<>();
  private long seq;

  private void step() {
    arrivals.takeInto(taken::add);
  }

  @Test
  void everySubmitThatArrivedBeforeTheStepIsTakenInIt() {
    List<SubmitRequest> sent = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      sent.add(request("flooder-" + i % 10));
      arrivals.add(sent.get(i));
    }
    SubmitRequest honest = request("honest");
    sent.add(honest);
    arrivals.add(honest);
    assertEquals(1, steps.size(), "one step for all of them");
    assertEquals(501, arrivals.size());

    steps.remove(0).run();
    assertEquals(sent, taken, "all, in the order they came");
    assertEquals(0, arrivals.size());
    assertEquals(List.of(), steps, "nothing waits: no step");

    arrivals.add(request("later"));
    assertEquals(1, steps.size(), "the next arrival queues a step again");
  }

  @Test
  void aStepTakesAtMostPerStepAndQueuesTheNext() {
    for (int i = 0; i < Arrivals.PER_STEP + 5; i++) {
      arrivals.add(request("flooder"));
    }
    steps.remove(0).run();
    assertEquals(Arrivals.PER_STEP, taken.size());
    assertEquals(1, steps.size(), "the rest come in the next step, after what was queued since");
    steps.remove(0).run();
    assertEquals(Arrivals.PER_STEP + 5, taken.size());
    assertEquals(List.of(), steps);
  }

  @Test
  void aStepThatFailsStillQueuesTheNextForTheRest() {
    for (int i = 0; i < 3; i++) {
      arrivals.add(request("sender"));
    }
    Runnable failing =
        () ->
            arrivals.takeInto(
                request -> {
                  throw new IllegalStateException("a bug");
                });
    steps.remove(0);
    assertThrows(IllegalStateException.class, failing::run);
    assertEquals(1, steps.size(), "the two left get a step");
    steps.remove(0).run();
    assertEquals(2, taken.size());
    assertEquals(List.of(), steps);
  }

  private SubmitRequest request(String sender) {
    return new SubmitRequest(
        null,
        new SubmitReply() {
          @Override
          public void acked(Committed committed) {}

          @Override
          public void failed(TandemException error) {}
        },
        new Sequencers.Submission(
            "doc", 0, TextOperation.builder().insert("x").build(), sender, ++seq, sender),
        () -> {},
        METRICS);
  }
}
