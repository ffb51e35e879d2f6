package io.colony.runtime.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A task record: idempotent submission, offering to the scheduler, gated attempts, one outcome. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskRecordTest {

  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load()));
  private TestProbe<TaskScheduler.Command> scheduler;
  private EventSourcedBehaviorTestKit<TaskRecord.Command, TaskRecord.Event, TaskRecord.State> record;
  private int n;

  @BeforeEach
  void fresh() {
    scheduler = testKit.createTestProbe();
    record = EventSourcedBehaviorTestKit.create(testKit.system(),
        TaskRecord.create("task-" + n++, scheduler.getRef(), Duration.ofSeconds(1)));
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  private TaskSpec spec() {
    return new TaskSpec("task-" + (n - 1), "pi", JsonNodeFactory.instance.objectNode().put("samples", 10), 1000, 3, 0, 1L);
  }

  private TaskView submit() {
    return record.<TaskView>runCommand(replyTo -> new TaskRecord.Submit(spec(), replyTo)).reply();
  }

  @Test
  void submitIsIdempotentAndOffersTheTaskUntilAcknowledged() {
    TaskView first = submit();
    assertEquals(TaskStatus.PENDING, first.status());
    TaskScheduler.Enqueue offer = scheduler.expectMessageClass(TaskScheduler.Enqueue.class);
    assertEquals(spec(), offer.spec());
    // not acknowledged: offered again
    scheduler.expectMessageClass(TaskScheduler.Enqueue.class, Duration.ofSeconds(3));

    var again = record.<TaskView>runCommand(replyTo -> new TaskRecord.Submit(spec(), replyTo));
    assertTrue(again.hasNoEvents(), "the same id is the same task");
    assertEquals(first, again.reply());

    var acknowledged = record.runCommand(new TaskRecord.EnqueueAcknowledged(spec().id()));
    assertTrue(acknowledged.hasNoEvents(), "the acknowledgement is not journaled");
    scheduler.expectNoMessage(Duration.ofMillis(1500));

    // After a restart an unfinished task is offered again; the scheduler dedups it.
    record.restart();
    assertEquals(spec(), scheduler.expectMessageClass(TaskScheduler.Enqueue.class).spec());
  }

  @Test
  void attemptsAreCountedAndTheFirstOutcomeWins() {
    submit();
    var go = record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("1-1", "node-a", r));
    assertEquals(new TaskRecord.Go(1), go.reply());
    assertEquals(TaskStatus.RUNNING, record.getState().status());
    var retry = record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("1-2", "node-b", r));
    assertEquals(new TaskRecord.Go(2), retry.reply());

    TestProbe<TaskScheduler.Command> acks = testKit.createTestProbe();
    var done = JsonNodeFactory.instance.objectNode().put("pi", 3.14);
    record.runCommand(new TaskRecord.RecordOutcome(Outcome.succeeded(done), acks.getRef()));
    acks.expectMessage(new TaskScheduler.OutcomeRecorded(spec().id()));
    var late = record.runCommand(new TaskRecord.RecordOutcome(Outcome.failed("late", false), acks.getRef()));
    assertTrue(late.hasNoEvents(), "exactly one outcome is recorded");
    acks.expectMessage(new TaskScheduler.OutcomeRecorded(spec().id()));

    TaskView view = record.<TaskView>runCommand(TaskRecord.Get::new).reply();
    assertEquals(TaskStatus.SUCCEEDED, view.status());
    assertEquals(2, view.attempts());
    assertEquals("node-b", view.node());
    assertEquals(3.14, view.result().get("pi").asDouble());
    assertTrue(view.finishedAt() >= view.startedAt());
  }

  @Test
  void aCancelledTaskNeverStartsAgain() {
    submit();
    TaskView cancelled = record.<TaskView>runCommand(TaskRecord.Cancel::new).reply();
    assertEquals(TaskStatus.CANCELLED, cancelled.status());
    scheduler.fishForMessage(Duration.ofSeconds(3), m -> m instanceof TaskScheduler.CancelTask
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());

    var start = record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("2-1", "node", r));
    assertInstanceOf(TaskRecord.Abort.class, start.reply());
    assertTrue(start.hasNoEvents());
    TestProbe<TaskScheduler.Command> acks = testKit.createTestProbe();
    record.runCommand(new TaskRecord.RecordOutcome(Outcome.succeeded(null), acks.getRef()));
    assertEquals(TaskStatus.CANCELLED, record.getState().status());
  }

  @Test
  void finishedTasksCannotBeCancelled() {
    submit();
    record.runCommand(new TaskRecord.RecordOutcome(Outcome.failed("x", false), testKit.<TaskScheduler.Command>createTestProbe().getRef()));
    var cancel = record.<TaskView>runCommand(TaskRecord.Cancel::new);
    assertTrue(cancel.hasNoEvents());
    assertEquals(TaskStatus.FAILED, cancel.reply().status());
  }

  @Test
  void aRetryPutsTheTaskBackToPendingWithTheError() {
    submit();
    record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("3-1", "node", r));
    record.runCommand(new TaskRecord.AttemptFailed("3-1", "boom"));
    assertEquals(TaskStatus.PENDING, record.getState().status());
    assertEquals("boom", record.getState().error());
    // a note about an older attempt changes nothing
    var stale = record.runCommand(new TaskRecord.AttemptFailed("3-0", "old"));
    assertTrue(stale.hasNoEvents());
  }

  @Test
  void unknownTaskIsAbsent() {
    TaskView view = record.<TaskView>runCommand(TaskRecord.Get::new).reply();
    assertEquals(false, view.exists());
  }
}
