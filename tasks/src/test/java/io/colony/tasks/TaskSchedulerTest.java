package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scheduler's rules on the in-memory journal, with probes standing in for workers and
 * task records: priorities, retries with backoff, timeouts, cancellation, stale results,
 * workers that die, and recovery from a snapshot into a new epoch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class TaskSchedulerTest {

  private static final Config TEST_CONFIG = ConfigFactory.parseString("""
      pekko.actor.provider = local
      colony.tasks {
        backoff { min = 100ms, max = 1s }
        tick = 50ms
        lost-attempt-grace = 300ms
        redeliver-after = 300ms
        scheduler-snapshot-every = 3
        max-queued = 8
      }
      """)
      .withFallback(PersistenceTestKitPlugin.getInstance().config())
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.load());

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(TEST_CONFIG).build();
  private final Config settings = TEST_CONFIG.getConfig("colony.tasks");
  private TestProbe<Object> recordCalls;
  private FakeRecords records;

  /** Outcomes and retry notes land on a probe; every attempt is allowed to start. */
  private static final class FakeRecords implements TaskRecords {
    private final TestProbe<Object> recordCalls;

    FakeRecords(TestProbe<Object> recordCalls) {
      this.recordCalls = recordCalls;
    }

    @Override
    public void recordOutcome(String taskId, Outcome outcome, ActorRef<TaskScheduler.Command> replyTo) {
      recordCalls.getRef().tell(new Recorded(taskId, outcome));
      replyTo.tell(new TaskScheduler.OutcomeRecorded(taskId));
    }

    @Override
    public void attemptFailed(String taskId, String token, String error, int attempts) {
      recordCalls.getRef().tell(new RetryNoted(taskId, error, attempts));
    }

    @Override
    public CompletionStage<TaskRecord.StartReply> startAttempt(String taskId, String token, String node) {
      return CompletableFuture.completedFuture(new TaskRecord.Go(1, null));
    }
  }

  record Recorded(String taskId, Outcome outcome) {}

  record RetryNoted(String taskId, String error, int attempts) {}

  private final List<ActorRef<TaskScheduler.Command>> schedulers = new java.util.ArrayList<>();

  @BeforeEach
  void fresh() {
    PersistenceTestKit.create(testKit.system()).clearAll();
    SnapshotTestKit.create(testKit.system()).clearAll();
    recordCalls = testKit.createTestProbe();
    records = new FakeRecords(recordCalls);
  }

  /** Every scheduler shares one persistence id: none may outlive its test. */
  @AfterEach
  void stopSchedulers() {
    TestProbe<Object> watcher = testKit.createTestProbe();
    for (ActorRef<TaskScheduler.Command> scheduler : schedulers) {
      testKit.stop(scheduler, Duration.ofSeconds(5));
      watcher.expectTerminated(scheduler, Duration.ofSeconds(5));
    }
    schedulers.clear();
  }


  private ActorRef<TaskScheduler.Command> startScheduler() {
    ActorRef<TaskScheduler.Command> scheduler = testKit.spawn(TaskScheduler.create(records, settings));
    schedulers.add(scheduler);
    return scheduler;
  }

  private static TaskSpec spec(String id, int priority, int maxAttempts, long timeoutMs) {
    return new TaskSpec(id, "sleep", JsonNodeFactory.instance.objectNode().put("ms", 1), timeoutMs, maxAttempts,
        priority, System.currentTimeMillis());
  }

  private void enqueue(ActorRef<TaskScheduler.Command> scheduler, TaskSpec spec) {
    TestProbe<TaskRecord.Command> record = testKit.createTestProbe();
    scheduler.tell(TaskScheduler.Enqueue.of(spec, record.getRef()));
    assertEquals(new TaskRecord.Enqueued(spec.id()), record.receiveMessage(Duration.ofSeconds(3)));
  }

  private TestProbe<TaskWorker.Command> worker(ActorRef<TaskScheduler.Command> scheduler, int slots) {
    TestProbe<TaskWorker.Command> worker = testKit.createTestProbe();
    scheduler.tell(new TaskScheduler.WorkerReady(worker.getRef(), "node-" + UUID.randomUUID(), slots));
    return worker;
  }

  private TaskWorker.Dispatch dispatched(TestProbe<TaskWorker.Command> worker) {
    return worker.expectMessageClass(TaskWorker.Dispatch.class, Duration.ofSeconds(3));
  }

  @Test
  void higherPriorityFirstThenFifo() {
    var scheduler = startScheduler();
    enqueue(scheduler, spec("low-1", 1, 1, 10_000));
    enqueue(scheduler, spec("high", 5, 1, 10_000));
    enqueue(scheduler, spec("low-2", 1, 1, 10_000));
    var worker = worker(scheduler, 3);

    assertEquals("high", dispatched(worker).taskId());
    assertEquals("low-1", dispatched(worker).taskId());
    assertEquals("low-2", dispatched(worker).taskId());
  }

  @Test
  void aTaskGoesToTheWorkerOnItsRecordsNodeWhenThatOneHasASlot() {
    var scheduler = startScheduler();
    // The records (probes here) live in this ActorSystem: their home is this node.
    String here = testKit.system().address().toString();
    TestProbe<TaskWorker.Command> elsewhere = testKit.createTestProbe();
    scheduler.tell(new TaskScheduler.WorkerReady(elsewhere.getRef(), "pekko://colony@10.0.0.9:17355", 5));
    TestProbe<TaskWorker.Command> home = testKit.createTestProbe();
    scheduler.tell(new TaskScheduler.WorkerReady(home.getRef(), here, 1));
    status(scheduler); // both registered

    enqueue(scheduler, spec("first", 0, 1, 10_000));
    assertEquals("first", dispatched(home).taskId(), "the emptier worker elsewhere does not get it");
    enqueue(scheduler, spec("second", 0, 1, 10_000));
    assertEquals("second", dispatched(elsewhere).taskId(), "the home worker is full");
    home.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void beyondTheQueueCapATaskIsRefusedAndNothingIsStored() {
    var scheduler = startScheduler();
    for (int i = 0; i < 8; i++) {
      enqueue(scheduler, spec("full-" + i, 0, 1, 10_000));
    }
    TestProbe<TaskRecord.Command> record = testKit.createTestProbe();
    scheduler.tell(TaskScheduler.Enqueue.of(spec("one-too-many", 0, 1, 10_000), record.getRef()));
    assertEquals(new TaskRecord.EnqueueRefused("one-too-many", 8), record.receiveMessage(Duration.ofSeconds(3)));
    assertEquals(8, status(scheduler).queued());
    // a task already queued is still acknowledged (a repeated submission is not a new task)
    scheduler.tell(TaskScheduler.Enqueue.of(spec("full-3", 0, 1, 10_000), record.getRef()));
    assertEquals(new TaskRecord.Enqueued("full-3"), record.receiveMessage(Duration.ofSeconds(3)));
  }

  @Test
  void aSkipDropsTheTaskOnlyForItsCurrentAttempt() {
    var scheduler = startScheduler();
    enqueue(scheduler, spec("late-accept", 0, 1, 10_000));
    var worker = worker(scheduler, 2);
    var first = dispatched(worker);
    // The record asks again (its client retried): the first attempt is forgotten and the task
    // is dispatched afresh, so the first attempt's skip ("no such task" yet) cannot drop it.
    enqueue(scheduler, spec("late-accept", 0, 1, 10_000));
    var second = dispatched(worker);
    assertNotEquals(first.token(), second.token());
    scheduler.tell(new TaskScheduler.AttemptSkipped("late-accept", first.token()));
    status(scheduler);
    assertEquals(1, status(scheduler).queued(), "a stale skip changes nothing");
    scheduler.tell(new TaskScheduler.AttemptSkipped("late-accept", second.token()));
    recordCalls.awaitAssert(Duration.ofSeconds(3), () -> {
      assertEquals(0, status(scheduler).queued(), "the record has no such task: dropped");
      return null;
    });
  }

  @Test
  void aWorkerGetsNoMoreThanItsFreeSlots() {
    var scheduler = startScheduler();
    for (int i = 0; i < 3; i++) {
      enqueue(scheduler, spec("t" + i, 0, 1, 10_000));
    }
    var worker = worker(scheduler, 1);
    var first = dispatched(worker);
    worker.expectNoMessage(Duration.ofMillis(300));

    scheduler.tell(new TaskScheduler.AttemptResult(first.taskId(), first.token(), Outcome.succeeded(null),
        new TaskScheduler.WorkerReady(worker.getRef(), "node", 1)));
    assertNotEquals(first.taskId(), dispatched(worker).taskId());
  }

  @Test
  void successIsRecordedOnce() {
    var scheduler = startScheduler();
    enqueue(scheduler, spec("ok", 0, 3, 10_000));
    var worker = worker(scheduler, 1);
    var dispatch = dispatched(worker);
    var result = JsonNodeFactory.instance.objectNode().put("answer", 42);
    scheduler.tell(new TaskScheduler.AttemptResult("ok", dispatch.token(), Outcome.succeeded(result), null));
    // the same result again (a duplicate message) is stale now
    scheduler.tell(new TaskScheduler.AttemptResult("ok", dispatch.token(), Outcome.succeeded(result), null));

    Recorded recorded = recordCalls.expectMessageClass(Recorded.class);
    assertEquals(TaskStatus.SUCCEEDED, recorded.outcome().status());
    assertEquals(42, recorded.outcome().result().get("answer").asInt());
    recordCalls.expectNoMessage(Duration.ofMillis(500));
    assertEquals(0, status(scheduler).queued());
    assertEquals(0, status(scheduler).undelivered(), "the record confirmed the outcome");
  }

  @Test
  void failuresAreRetriedWithGrowingBackoffThenFailAfterMaxAttempts() {
    var scheduler = startScheduler();
    enqueue(scheduler, spec("flaky", 0, 3, 10_000));
    var worker = worker(scheduler, 1);
    long[] dispatchedAt = new long[3];
    for (int attempt = 0; attempt < 3; attempt++) {
      var dispatch = dispatched(worker);
      dispatchedAt[attempt] = System.nanoTime();
      scheduler.tell(new TaskScheduler.AttemptResult("flaky", dispatch.token(), Outcome.failed("boom " + attempt, true),
          new TaskScheduler.WorkerReady(worker.getRef(), "node", 1)));
      if (attempt < 2) {
        assertEquals(new RetryNoted("flaky", "boom " + attempt, attempt + 1), recordCalls.expectMessageClass(RetryNoted.class));
      }
    }
    Recorded recorded = recordCalls.expectMessageClass(Recorded.class);
    assertEquals(TaskStatus.FAILED, recorded.outcome().status());
    assertEquals("boom 2", recorded.outcome().error());
    assertEquals(3, recorded.outcome().attempts(), "the final outcome carries the scheduler's count");
    worker.expectNoMessage(Duration.ofMillis(400));
    // backoff: at least 100 ms before the 2nd attempt, at least 200 ms before the 3rd
    assertTrue(dispatchedAt[1] - dispatchedAt[0] >= 100_000_000L);
    assertTrue(dispatchedAt[2] - dispatchedAt[1] >= 200_000_000L);
  }

  @Test
  void nonRetryableFailureFailsAtOnce() {
    var scheduler = startScheduler();
    enqueue(scheduler, spec("fatal", 0, 5, 10_000));
    var worker = worker(scheduler, 1);
    var dispatch = dispatched(worker);
    scheduler.tell(new TaskScheduler.AttemptResult("fatal", dispatch.token(), Outcome.failed("no", false), null));
    assertEquals(TaskStatus.FAILED, recordCalls.expectMessageClass(Recorded.class).outcome().status());
    scheduler.tell(new TaskScheduler.WorkerReady(worker.getRef(), "node", 1));
    worker.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void resultsOfStaleAttemptsAreIgnored() {
    var scheduler = startScheduler();
    enqueue(scheduler, spec("s", 0, 3, 10_000));
    var worker = worker(scheduler, 1);
    var dispatch = dispatched(worker);
    scheduler.tell(new TaskScheduler.AttemptResult("s", "0-999", Outcome.succeeded(null), null));
    recordCalls.expectNoMessage(Duration.ofMillis(300));
    scheduler.tell(new TaskScheduler.AttemptResult("s", dispatch.token(), Outcome.failed("real", false), null));
    assertEquals("real", recordCalls.expectMessageClass(Recorded.class).outcome().error());
  }

  @Test
  void cancellingStopsTheRunningAttemptAndItsLateResultIsIgnored() {
    var scheduler = startScheduler();
    enqueue(scheduler, spec("c", 0, 3, 10_000));
    var worker = worker(scheduler, 1);
    var dispatch = dispatched(worker);
    scheduler.tell(new TaskScheduler.CancelTask("c"));
    assertEquals(new TaskWorker.CancelAttempt("c", dispatch.token()),
        worker.expectMessageClass(TaskWorker.CancelAttempt.class));
    scheduler.tell(new TaskScheduler.AttemptResult("c", dispatch.token(), Outcome.succeeded(null), null));
    recordCalls.expectNoMessage(Duration.ofMillis(300));
    scheduler.tell(new TaskScheduler.WorkerReady(worker.getRef(), "node", 1));
    worker.expectNoMessage(Duration.ofMillis(300));
    assertEquals(0, status(scheduler).queued());
  }

  @Test
  void anAttemptWithNoResultPastItsTimeoutIsRetried() {
    var scheduler = startScheduler();
    enqueue(scheduler, spec("lost", 0, 2, 100));
    var worker = worker(scheduler, 2);
    var first = dispatched(worker);
    // the worker stays silent: after timeout + grace the scheduler gives up on that attempt
    RetryNoted note = recordCalls.expectMessageClass(RetryNoted.class, Duration.ofSeconds(3));
    assertTrue(note.error().contains("attempt lost"), note.error());
    var second = dispatched(worker);
    assertNotEquals(first.token(), second.token());
  }

  @Test
  void attemptsOfAWorkerThatDiesAreDispatchedAgainAtOnce() {
    var scheduler = startScheduler();
    enqueue(scheduler, spec("orphan", 0, 1, 60_000));
    var doomed = worker(scheduler, 1);
    var first = dispatched(doomed);
    var survivor = worker(scheduler, 1);
    doomed.stop();
    var again = survivor.expectMessageClass(TaskWorker.Dispatch.class, Duration.ofSeconds(3));
    assertEquals("orphan", again.taskId());
    assertNotEquals(first.token(), again.token());
    // a crash is not a failed attempt: maxAttempts = 1 still lets it succeed now
    scheduler.tell(new TaskScheduler.AttemptResult("orphan", again.token(), Outcome.succeeded(null), null));
    assertEquals(TaskStatus.SUCCEEDED, recordCalls.expectMessageClass(Recorded.class).outcome().status());
  }

  @Test
  void aRestartedSchedulerRecoversItsQueueInANewEpochAndRejectsOldResults() {
    var scheduler = startScheduler();
    for (int i = 0; i < 5; i++) {
      enqueue(scheduler, spec("r" + i, 0, 3, 10_000));
    }
    var worker = worker(scheduler, 1);
    var old = dispatched(worker);
    long firstEpoch = status(scheduler).epoch();
    testKit.stop(scheduler);
    schedulers.remove(scheduler);

    var restarted = startScheduler();
    // the new incarnation persists its epoch right after recovery
    TaskScheduler.Status status = recordCalls.awaitAssert(Duration.ofSeconds(3), () -> {
      TaskScheduler.Status now = status(restarted);
      assertEquals(firstEpoch + 1, now.epoch());
      return now;
    });
    assertEquals(5, status.queued(), "every queued task survives (snapshot every 3 events)");
    var newWorker = worker(restarted, 5);
    List<String> ids = new java.util.ArrayList<>();
    String tokenOfOldTask = null;
    for (int i = 0; i < 5; i++) {
      var d = dispatched(newWorker);
      ids.add(d.taskId());
      if (d.taskId().equals(old.taskId())) {
        tokenOfOldTask = d.token();
      }
    }
    assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), ids);
    assertTrue(tokenOfOldTask.startsWith((firstEpoch + 1) + "-"), tokenOfOldTask);
    // the first incarnation's attempt reports late: ignored
    restarted.tell(new TaskScheduler.AttemptResult(old.taskId(), old.token(), Outcome.succeeded(null), null));
    recordCalls.expectNoMessage(Duration.ofMillis(300));
  }

  private TaskScheduler.Status status(ActorRef<TaskScheduler.Command> scheduler) {
    TestProbe<TaskScheduler.Status> probe = testKit.createTestProbe();
    scheduler.tell(new TaskScheduler.GetStatus(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(3));
  }
}
