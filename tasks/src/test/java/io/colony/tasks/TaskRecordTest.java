package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A task record: queued before accepted, idempotent submission, gated attempts, one outcome, retention. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class TaskRecordTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(EventSourcedBehaviorTestKit.config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load())).build();
  private static final Duration JOURNAL_RUNNING_AFTER = Duration.ofMillis(400);
  private static final Duration ENQUEUE_TIMEOUT = Duration.ofSeconds(1);

  /** How the stand-in scheduler answers an Enqueue. */
  enum Queue { ACCEPTS, FULL, SILENT }

  private final AtomicReference<Queue> queue = new AtomicReference<>(Queue.ACCEPTS);
  private TestProbe<TaskScheduler.Command> scheduler;
  private EventSourcedBehaviorTestKit<TaskRecord.Command, TaskRecord.Event, TaskRecord.State> record;
  private int n;

  @BeforeEach
  void fresh() {
    queue.set(Queue.ACCEPTS);
    scheduler = testKit.createTestProbe();
    record = EventSourcedBehaviorTestKit.create(testKit.system(),
        TaskRecord.create("task-" + n++, standInScheduler(), ENQUEUE_TIMEOUT, JOURNAL_RUNNING_AFTER));
  }

  /** Answers Enqueue as {@link #queue} says, and shows every message on {@link #scheduler}. */
  private ActorRef<TaskScheduler.Command> standInScheduler() {
    return testKit.spawn(Behaviors.monitor(TaskScheduler.Command.class, scheduler.getRef(),
        Behaviors.receiveMessage(command -> {
          if (command instanceof TaskScheduler.Enqueue e) {
            switch (queue.get()) {
              case ACCEPTS -> e.record().tell(new TaskRecord.Enqueued(e.taskId()));
              case FULL -> e.record().tell(new TaskRecord.EnqueueRefused(e.taskId(), 10));
              case SILENT -> { }
            }
          }
          return Behaviors.same();
        })));
  }


  private TaskSpec spec() {
    return new TaskSpec("task-" + (n - 1), "pi", JsonNodeFactory.instance.objectNode().put("samples", 10), 1000, 3, 0, 1L);
  }

  private TaskView submit() {
    var accepted = record.<TaskRecord.SubmitReply>runCommand(replyTo -> new TaskRecord.Submit(spec(), replyTo));
    return assertInstanceOf(TaskRecord.Accepted.class, accepted.reply()).task();
  }

  @Test
  void aTaskIsQueuedFirstThenJournaledThenAccepted() {
    var first = record.<TaskRecord.SubmitReply>runCommand(replyTo -> new TaskRecord.Submit(spec(), replyTo));
    TaskScheduler.Enqueue enqueue = scheduler.expectMessageClass(TaskScheduler.Enqueue.class);
    assertEquals(spec().id(), enqueue.taskId());
    assertEquals(spec().maxAttempts(), enqueue.maxAttempts());
    assertEquals(List.of(new TaskRecord.Submitted(spec())), first.events(), "the input is journaled here, not in the queue");
    assertEquals(TaskStatus.PENDING, assertInstanceOf(TaskRecord.Accepted.class, first.reply()).task().status());

    var again = record.<TaskRecord.SubmitReply>runCommand(replyTo -> new TaskRecord.Submit(spec(), replyTo));
    assertTrue(again.hasNoEvents(), "the same id and body is the same task");
    assertInstanceOf(TaskRecord.Accepted.class, again.reply());
    TaskSpec otherBody = new TaskSpec(spec().id(), "pi", JsonNodeFactory.instance.objectNode().put("samples", 11),
        1000, 3, 0, 2L);
    var reused = record.<TaskRecord.SubmitReply>runCommand(replyTo -> new TaskRecord.Submit(otherBody, replyTo));
    assertTrue(reused.hasNoEvents());
    assertInstanceOf(TaskRecord.KeyReused.class, reused.reply());

    // Nothing to offer after a restart: the queue has the task already.
    record.restart();
    assertEquals(TaskStatus.PENDING, record.<TaskView>runCommand(TaskRecord.Get::new).reply().status());
    scheduler.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aSubmissionThatArrivesTooLateForItsAskerIsNotAcceptedAndNothingIsStored() {
    long deadline = System.currentTimeMillis() + TaskRecord.ANSWER_MARGIN.toMillis() - 1;
    var late = record.<TaskRecord.SubmitReply>runCommand(replyTo -> new TaskRecord.Submit(spec(), replyTo, deadline));
    assertInstanceOf(TaskRecord.NotQueued.class, late.reply());
    assertTrue(late.hasNoEvents());
    scheduler.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aFullQueueRefusesTheTaskAndNothingIsStored() {
    queue.set(Queue.FULL);
    var refused = record.<TaskRecord.SubmitReply>runCommand(replyTo -> new TaskRecord.Submit(spec(), replyTo));
    assertEquals(new TaskRecord.QueueFull(10), refused.reply());
    assertTrue(refused.hasNoEvents());
    assertEquals(false, record.<TaskView>runCommand(TaskRecord.Get::new).reply().exists());
  }

  @Test
  void aSchedulerThatDoesNotAnswerGetsNothingStoredAndALateAnswerChangesNothing() {
    queue.set(Queue.SILENT);
    var notQueued = record.<TaskRecord.SubmitReply>runCommand(replyTo -> new TaskRecord.Submit(spec(), replyTo));
    assertInstanceOf(TaskRecord.NotQueued.class, notQueued.reply());
    assertTrue(notQueued.hasNoEvents());
    assertTrue(record.runCommand(new TaskRecord.Enqueued(spec().id())).hasNoEvents(), "a late answer");
    // the queue may have the task: its first attempt hears "no such task", so the queue drops it
    var start = record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("1-1", "node", r));
    assertEquals(new TaskRecord.Abort(null), start.reply());
  }

  @Test
  void aWorkerThatAsksBeforeTheTaskIsJournaledWaitsAndGetsTheSpec() {
    queue.set(Queue.SILENT);
    ActorRef<TaskRecord.Command> live = testKit.spawn(
        TaskRecord.create("live-" + n, standInScheduler(), Duration.ofSeconds(5), JOURNAL_RUNNING_AFTER));
    TaskSpec spec = new TaskSpec("live-" + n, "pi", JsonNodeFactory.instance.objectNode().put("samples", 10), 1000, 3, 0, 1L);
    TestProbe<TaskRecord.SubmitReply> client = testKit.createTestProbe();
    TestProbe<TaskRecord.StartReply> worker = testKit.createTestProbe();
    live.tell(new TaskRecord.Submit(spec, client.getRef()));
    scheduler.expectMessageClass(TaskScheduler.Enqueue.class);
    // the queue has persisted the task and dispatched it before its acknowledgement arrived here
    live.tell(new TaskRecord.StartAttempt("1-1", "node", worker.getRef()));
    worker.expectNoMessage(Duration.ofMillis(200));
    live.tell(new TaskRecord.Enqueued(spec.id()));
    assertInstanceOf(TaskRecord.Accepted.class, client.receiveMessage());
    assertEquals(new TaskRecord.Go(1, spec), worker.receiveMessage());
  }

  @Test
  void aFinishedRecordAsksItsShardToPassivateItAfterTheIdleTime() {
    TestProbe<org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand> shard =
        testKit.createTestProbe();
    ActorRef<TaskRecord.Command> live = testKit.spawn(TaskRecord.create("idle-" + n, standInScheduler(),
        Duration.ofSeconds(5), JOURNAL_RUNNING_AFTER, shard.getRef(), Duration.ofMillis(300)));
    TaskSpec spec = new TaskSpec("idle-" + n, "pi", JsonNodeFactory.instance.objectNode().put("samples", 10), 1000, 3, 0, 1L);
    TestProbe<TaskRecord.SubmitReply> client = testKit.createTestProbe();
    live.tell(new TaskRecord.Submit(spec, client.getRef()));
    client.expectMessageClass(TaskRecord.Accepted.class);
    shard.expectNoMessage(Duration.ofMillis(600)); // unfinished: stays
    live.tell(new TaskRecord.RecordOutcome(Outcome.succeeded(null).asFinal(1),
        testKit.createTestProbe(TaskScheduler.Command.class).getRef()));
    var passivate = shard.expectMessageClass(
        org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.Passivate.class, Duration.ofSeconds(3));
    assertEquals(live, passivate.entity());
  }

  @Test
  void forgettingAFinishedTaskStopsItsRecordButNotAnUnfinishedOne() {
    ActorRef<TaskRecord.Command> live = testKit.spawn(
        TaskRecord.create("forget-" + n, standInScheduler(), Duration.ofSeconds(5), JOURNAL_RUNNING_AFTER));
    TaskSpec spec = new TaskSpec("forget-" + n, "pi", JsonNodeFactory.instance.objectNode().put("samples", 10), 1000, 3, 0, 1L);
    TestProbe<TaskRecord.SubmitReply> client = testKit.createTestProbe();
    live.tell(new TaskRecord.Submit(spec, client.getRef()));
    client.expectMessageClass(TaskRecord.Accepted.class);
    TestProbe<Object> watcher = testKit.createTestProbe();
    live.tell(new TaskRecord.Forget());
    watcher.expectNoMessage(Duration.ofMillis(200));
    TestProbe<TaskView> reader = testKit.createTestProbe();
    live.tell(new TaskRecord.Get(reader.getRef()));
    assertEquals(TaskStatus.PENDING, reader.receiveMessage().status(), "still there");
    live.tell(new TaskRecord.RecordOutcome(Outcome.succeeded(null).asFinal(1), testKit.createTestProbe(TaskScheduler.Command.class).getRef()));
    live.tell(new TaskRecord.Forget());
    watcher.expectTerminated(live, Duration.ofSeconds(3));
  }

  @Test
  void attemptsAreCountedAndTheFirstOutcomeWins() {
    submit();
    var go = record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("1-1", "node-a", r));
    assertEquals(new TaskRecord.Go(1, spec()), go.reply());
    assertTrue(go.hasNoEvents(), "a start is journaled with the attempt's end, not on its own");
    TaskView running = record.<TaskView>runCommand(TaskRecord.Get::new).reply();
    assertEquals(TaskStatus.RUNNING, running.status());
    assertEquals("node-a", running.node());
    // a worker crashed in attempt 1 (no result); the scheduler dispatched it again
    var retry = record.<TaskRecord.StartReply>runCommand(r -> new TaskRecord.StartAttempt("1-2", "node-b", r));
    assertEquals(new TaskRecord.Go(2, spec()), retry.reply());

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
