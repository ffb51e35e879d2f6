package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BytesInFlightTest {

  @Test
  void takesWhatFitsAndGivesItBack() {
    BytesInFlight budget = new BytesInFlight(100);
    assertTrue(budget.tryAcquire(60));
    assertFalse(budget.tryAcquire(50), "60 + 50 > 100");
    assertTrue(budget.tryAcquire(40));
    budget.release(60);
    assertEquals(40, budget.used());
    assertTrue(budget.tryAcquire(60));
  }

  @Test
  void oneRequestLargerThanTheBudgetStillFitsAlone() {
    BytesInFlight budget = new BytesInFlight(10);
    assertTrue(budget.tryAcquire(1000));
    assertFalse(budget.tryAcquire(1));
  }
}
