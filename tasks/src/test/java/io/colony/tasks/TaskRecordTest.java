package io.colony.tasks;

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
  private static final Duration JOURNAL_RUNNING_AFTER = Duration.ofMillis(400);
  private TestProbe<TaskScheduler.Command> scheduler;
  private EventSourcedBehaviorTestKit<TaskRecord.Command, TaskRecord.Event, TaskRecord.State> record;
  private int n;

  @BeforeEach
  void fresh() {
    scheduler = testKit.createTestProbe();
    record = EventSourcedBehaviorTestKit.create(testKit.system(),
        TaskRecord.create("task-" + n++, scheduler.getRef(), Duration.ofSeconds(1), JOURNAL_RUNNING_AFTER));
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
    assertTrue(go.hasNoEvents(), "a start is journaled with the attempt's end, not on its own");
    TaskView running = record.<TaskView>runCommand(TaskRecord.Get::new).reply();
    assertEquals(TaskStatus.RUNNING, running.status());
    assertEquals("node-a", running.node());
    // a worker crashed in attempt 1 (no result); the scheduler dispatched it again
    var retry = record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("1-2", "node-b", r));
    assertEquals(new TaskRecord.Go(2), retry.reply());

    TestProbe<TaskScheduler.Command> acks = testKit.createTestProbe();
    var done = JsonNodeFactory.instance.objectNode().put("pi", 3.14);
    var finished = record.runCommand(new TaskRecord.RecordOutcome(Outcome.succeeded(done).asFinal(1), acks.getRef()));
    acks.expectMessage(new TaskScheduler.OutcomeRecorded(spec().id()));
    assertEquals(1, finished.events().size(), "start and outcome are one journal write");
    var late = record.runCommand(new TaskRecord.RecordOutcome(Outcome.failed("late", false), acks.getRef()));
    assertTrue(late.hasNoEvents(), "exactly one outcome is recorded");
    acks.expectMessage(new TaskScheduler.OutcomeRecorded(spec().id()));

    TaskView view = record.<TaskView>runCommand(TaskRecord.Get::new).reply();
    assertEquals(TaskStatus.SUCCEEDED, view.status());
    assertEquals(2, view.attempts());
    assertEquals("node-b", view.node());
    assertEquals(3.14, view.result().get("pi").asDouble());
    assertTrue(view.finishedAt() >= view.startedAt());

    record.restart();
    assertEquals(view, record.<TaskView>runCommand(TaskRecord.Get::new).reply(), "all of it is in the journal");
  }

  @Test
  void anAttemptRunningLongerThanTheDelayIsJournaledAsRunning() {
    submit();
    var go = record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("4-1", "node-a", r));
    assertTrue(go.hasNoEvents());
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(TaskStatus.RUNNING, record.getState().status());
      return null;
    });
    record.restart();
    TaskView afterRestart = record.<TaskView>runCommand(TaskRecord.Get::new).reply();
    assertEquals(TaskStatus.RUNNING, afterRestart.status());
    assertEquals(1, afterRestart.attempts());
    assertEquals("node-a", afterRestart.node());

    record.runCommand(new TaskRecord.RecordOutcome(Outcome.succeeded(null).asFinal(1),
        testKit.<TaskScheduler.Command>createTestProbe().getRef()));
    TaskView done = record.<TaskView>runCommand(TaskRecord.Get::new).reply();
    assertEquals(TaskStatus.SUCCEEDED, done.status());
    assertEquals(1, done.attempts());
  }

  @Test
  void theSchedulersCountStandsWhenTheRecordForgotTheRunningAttempt() {
    submit();
    record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("5-1", "node", r));
    record.runCommand(new TaskRecord.AttemptFailed("5-1", "first", 1));
    record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("5-2", "node", r));
    record.restart(); // e.g. its node crashed while attempt 2 ran; that start was not journaled yet
    assertEquals(TaskStatus.PENDING, record.<TaskView>runCommand(TaskRecord.Get::new).reply().status());
    record.runCommand(new TaskRecord.RecordOutcome(Outcome.failed("second", false).asFinal(2),
        testKit.<TaskScheduler.Command>createTestProbe().getRef()));
    assertEquals(2, record.getState().attempts());
    assertEquals(TaskStatus.FAILED, record.getState().status());
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
    record.runCommand(new TaskRecord.AttemptFailed("3-1", "boom", 1));
    assertEquals(TaskStatus.PENDING, record.getState().status());
    assertEquals("boom", record.getState().error());
    assertEquals(1, record.getState().attempts());
    // the same note again, or one about an older attempt while a newer one runs, changes nothing
    assertTrue(record.runCommand(new TaskRecord.AttemptFailed("3-1", "boom", 1)).hasNoEvents());
    record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("3-2", "node", r));
    assertTrue(record.runCommand(new TaskRecord.AttemptFailed("3-1", "old", 1)).hasNoEvents());
  }

  @Test
  void unknownTaskIsAbsent() {
    TaskView view = record.<TaskView>runCommand(TaskRecord.Get::new).reply();
    assertEquals(false, view.exists());
  }
}
