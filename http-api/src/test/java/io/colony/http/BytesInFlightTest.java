package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LogCapturingExtension.class)
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
