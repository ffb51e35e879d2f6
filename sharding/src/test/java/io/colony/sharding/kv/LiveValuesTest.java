package io.colony.sharding.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The node's budget for live values: over it, the least recently changed keys are asked to leave memory. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class LiveValuesTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().build();


  @Test
  void overTheBudgetTheLeastRecentlyChangedKeysAreEvicted() {
    var live = testKit.spawn(LiveValues.create(100));
    TestProbe<KeyValueEntity.Command> a = testKit.createTestProbe();
    TestProbe<KeyValueEntity.Command> b = testKit.createTestProbe();
    TestProbe<KeyValueEntity.Command> c = testKit.createTestProbe();
    live.tell(new LiveValues.Holds(a.getRef(), 40));
    live.tell(new LiveValues.Holds(b.getRef(), 40));
    live.tell(new LiveValues.Holds(a.getRef(), 50)); // a changed again: now b is the least recent
    a.expectNoMessage(Duration.ofMillis(100));
    live.tell(new LiveValues.Holds(c.getRef(), 30)); // 50 + 40 + 30 > 100
    assertEquals(KeyValueEntity.Evict.INSTANCE, b.receiveMessage());
    a.expectNoMessage(Duration.ofMillis(100));
    assertEquals(new LiveValues.Total(80, 2, 1), total(live));

    live.tell(new LiveValues.Released(a.getRef()));
    assertEquals(new LiveValues.Total(30, 1, 1), total(live));
  }

  @Test
  void aSingleValueLargerThanTheBudgetStaysWhileItIsTheOnlyOne() {
    var live = testKit.spawn(LiveValues.create(10));
    TestProbe<KeyValueEntity.Command> big = testKit.createTestProbe();
    live.tell(new LiveValues.Holds(big.getRef(), 1000));
    big.expectNoMessage(Duration.ofMillis(100));
    assertEquals(1, total(live).entities());
  }

  private LiveValues.Total total(org.apache.pekko.actor.typed.ActorRef<LiveValues.Command> live) {
    TestProbe<LiveValues.Total> probe = testKit.createTestProbe();
    live.tell(new LiveValues.GetTotal(probe.getRef()));
    return probe.receiveMessage();
  }
}
