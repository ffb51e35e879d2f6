package io.colony.samples.counter;

import static io.colony.samples.SampleEntities.run;
import static io.colony.samples.SampleEntities.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.persistence.sdk.EntityMessage;
import io.colony.samples.SampleEntities;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The counter's rules on the in-memory journal; commands, events and state are round-tripped through CBOR. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class CounterTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(SampleEntities.config("")).build();
  private EventSourcedBehaviorTestKit<EntityMessage, Counter.Event, Counter.State> counter;
  private int ids;

  @BeforeEach
  void freshCounter() {
    counter = EventSourcedBehaviorTestKit.create(testKit.system(),
        SampleEntities.entity(Counter.TYPE, "c-" + ids++, Counter.Command.class, Counter::new));
  }


  @Test
  void incrementsAndShowsTheValue() {
    var first = run(counter, new Counter.Increment(5));
    assertEquals(StatusReply.success(new Counter.State(5)), first.reply());
    assertEquals(new Counter.Incremented(5), first.event());
    assertEquals(StatusReply.success(new Counter.State(7)), run(counter, new Counter.Increment(2)).reply());
    assertEquals(StatusReply.success(new Counter.State(7)), view(counter));
    assertEquals(new Counter.State(7), counter.restart().state());
  }

  @Test
  void startsAtZero() {
    assertEquals(StatusReply.success(new Counter.State(0)), view(counter));
  }

  @Test
  void rejectsAnIncrementBelowOne() {
    for (long by : new long[] {0, -3}) {
      var rejected = run(counter, new Counter.Increment(by));
      assertEquals(StatusReply.error("by must be at least 1, not " + by), rejected.reply());
      assertTrue(rejected.hasNoEvents());
    }
  }

  @Test
  void rejectsAnOverflow() {
    run(counter, new Counter.Increment(Long.MAX_VALUE - 1));
    var rejected = run(counter, new Counter.Increment(2));
    assertEquals(StatusReply.error("the counter would overflow"), rejected.reply());
    assertTrue(rejected.hasNoEvents());
    assertEquals(StatusReply.success(new Counter.State(Long.MAX_VALUE)), run(counter, new Counter.Increment(1)).reply());
  }

  @Test
  void readsItsCommandFromJson() throws Exception {
    assertEquals(new Counter.Increment(5),
        SampleEntities.json(testKit.system()).readValue("{\"type\":\"increment\",\"by\":5}", Counter.Command.class));
  }
}
