package dev.tandem.sequencer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OutboundBudgetTest {
  @Test
  void reservesUnderTheBoundAndOverItOnlyWhenTold() {
    OutboundBudget budget = new OutboundBudget(100);
    assertTrue(budget.tryReserve(60));
    assertFalse(budget.tryReserve(41), "60 + 41 is over 100");
    assertFalse(budget.isFull());
    budget.reserve(41); // a frame for a client that keeps up
    assertTrue(budget.isFull());
    assertEquals("unavailable", budget.full().code().code());
    assertTrue(budget.full().code().retryable());
    budget.release(101);
    assertEquals(0, budget.used());
    assertFalse(budget.isFull());
  }

  @Test
  void holdersThatCountLazilyAreAskedBeforeAnythingIsRefused() {
    OutboundBudget budget = new OutboundBudget(100);
    AtomicLong held = new AtomicLong(90); // what a stream reserved; the network took it since
    budget.reserve(held.get());
    Runnable remove = budget.onRecount(() -> budget.release(held.getAndSet(0)));
    assertTrue(budget.tryReserve(50), "the recount released the 90 written bytes");
    assertEquals(50, budget.used());
    remove.run();
    held.set(50);
    budget.reserve(50);
    assertTrue(budget.isFull(), "a removed holder is not asked");
  }
}
