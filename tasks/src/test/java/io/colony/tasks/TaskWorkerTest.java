package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One worker pool: slots, prefetch, refusal beyond capacity, timeouts from the start of the run,
 * interrupts on timeout and cancel, and slots that stay busy while an interrupted handler runs on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class TaskWorkerTest {

  private static final Config CONFIG = ConfigFactory.parseString("""
      pekko.actor.provider = local
      colony.tasks { worker-slots = 1, prefetch = 1, heartbeat = 1h, stuck-warning-after = 300ms }
      """).withFallback(ConfigFactory.load());

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();
  private final CountDownLatch release = new CountDownLatch(1);

  /** {@code block} waits until the test releases it; {@code quick} answers at once. */
  private final TaskHandlers handlers = new TaskHandlers(List.of(
      new TaskHandler() {
        public String type() {
          return "block";
        }

        public JsonNode run(TaskContext context, JsonNode input) throws Exception {
          release.await(10, TimeUnit.SECONDS);
          return JsonNodeFactory.instance.textNode("released");
        }
      },
      new TaskHandler() {
        public String type() {
          return "quick";
        }

        public JsonNode run(TaskContext context, JsonNode input) {
          return JsonNodeFactory.instance.numberNode(context.attempt());
        }
      }));

  /** The specs the stand-in records hold, by task id (the go-ahead brings the spec). */
  private static final Map<String, TaskSpec> SPECS = new ConcurrentHashMap<>();

  /** A dispatch as the scheduler sends it (id, token, timeout); the stand-in record knows the spec. */
  private static TaskWorker.Dispatch dispatch(TaskSpec spec, String token) {
    SPECS.put(spec.id(), spec);
    return new TaskWorker.Dispatch(spec.id(), token, spec.timeoutMs());
  }

  /** Every attempt may start; it is the first one. */
  private static final TaskRecords GO = new TaskRecords() {
    public void recordOutcome(String taskId, Outcome outcome, ActorRef<TaskScheduler.Command> replyTo) {}

    public void attemptFailed(String taskId, String token, String error, int attempts) {}

    public CompletionStage<TaskRecord.StartReply> startAttempt(String taskId, String token, String node) {
      return CompletableFuture.completedFuture(new TaskRecord.Go(1, SPECS.get(taskId)));
    }
  };


  private static TaskSpec spec(String id, String type, long timeoutMs) {
    return new TaskSpec(id, type, JsonNodeFactory.instance.objectNode(), timeoutMs, 1, 0, 0);
  }

  @Test
  void runsOneAtATimePrefetchesOneAndRefusesMore() {
    TestProbe<TaskScheduler.Command> scheduler = testKit.createTestProbe();
    var worker = testKit.spawn(TaskWorker.create(scheduler.getRef(), GO, handlers, CONFIG.getConfig("colony.tasks")));
    TaskScheduler.WorkerReady hello = scheduler.expectMessageClass(TaskScheduler.WorkerReady.class);
    assertEquals(2, hello.freeSlots(), "one slot plus one prefetched attempt");

    worker.tell(dispatch(spec("a", "block", 10_000), "1-1"));
    // b waits for the slot longer than its own timeout: the timeout counts from its start only
    worker.tell(dispatch(spec("b", "quick", 300), "1-2"));
    worker.tell(dispatch(spec("c", "quick", 300), "1-3"));
    assertEquals(new TaskScheduler.AttemptRefused("c", "1-3"), scheduler.expectMessageClass(TaskScheduler.AttemptRefused.class));

    TestProbe<TaskWorker.WorkerStats> stats = testKit.createTestProbe();
    stats.awaitAssert(() -> {
      worker.tell(new TaskWorker.GetStats(stats.getRef()));
      assertEquals(1, stats.receiveMessage().busy());
      return null;
    });
    scheduler.expectNoMessage(Duration.ofMillis(600));

    release.countDown();
    TaskScheduler.AttemptResult first = scheduler.expectMessageClass(TaskScheduler.AttemptResult.class);
    assertEquals("a", first.taskId());
    assertEquals(TaskStatus.SUCCEEDED, first.outcome().status());
    // the result is also the announcement: b took the slot, so one attempt more fits
    assertEquals(worker, first.worker().worker());
    assertEquals(1, first.worker().freeSlots());
    TaskScheduler.AttemptResult second = scheduler.fishForMessage(Duration.ofSeconds(3), m ->
        m instanceof TaskScheduler.AttemptResult
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())
        .stream().filter(TaskScheduler.AttemptResult.class::isInstance).map(TaskScheduler.AttemptResult.class::cast)
        .findFirst().orElseThrow();
    assertEquals("b", second.taskId());
    assertEquals(TaskStatus.SUCCEEDED, second.outcome().status(), second.outcome().toString());
    assertEquals(2, second.worker().freeSlots());
  }

  @Test
  void anAttemptPastItsTimeoutFailsAndCanBeRetried() {
    TestProbe<TaskScheduler.Command> scheduler = testKit.createTestProbe();
    var worker = testKit.spawn(TaskWorker.create(scheduler.getRef(), GO, new TaskHandlers(List.of(new BuiltInTasks.Sleep())),
        CONFIG.getConfig("colony.tasks")));
    worker.tell(dispatch(new TaskSpec("slow", "sleep",
        JsonNodeFactory.instance.objectNode().put("ms", 5000), 200, 2, 0, 0), "1-9"));
    TaskScheduler.AttemptResult result = scheduler.fishForMessage(Duration.ofSeconds(3), m ->
        m instanceof TaskScheduler.AttemptResult
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())
        .stream().filter(TaskScheduler.AttemptResult.class::isInstance).map(TaskScheduler.AttemptResult.class::cast)
        .findFirst().orElseThrow();
    assertEquals(TaskStatus.FAILED, result.outcome().status());
    assertEquals(true, result.outcome().retryable());
    assertEquals("timed out after 200 ms", result.outcome().error());
  }

  // --- interrupts and stuck slots ---

  /** Blocks until {@code release} opens and ignores interrupts meanwhile (it counts them). */
  private static final class Stubborn implements TaskHandler {
    final CountDownLatch began = new CountDownLatch(1);
    final CountDownLatch interrupted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    public String type() {
      return "stubborn";
    }

    public JsonNode run(TaskContext context, JsonNode input) {
      began.countDown();
      while (true) {
        try {
          release.await();
          return JsonNodeFactory.instance.textNode("released");
        } catch (InterruptedException e) {
          interrupted.countDown();
        }
      }
    }
  }

  /** Waits until it is interrupted, and notes whether the attempt was cancelled by then. */
  private static final class Interruptible implements TaskHandler {
    final CountDownLatch began = new CountDownLatch(1);
    final CountDownLatch interrupted = new CountDownLatch(1);
    final AtomicBoolean cancelledWhenInterrupted = new AtomicBoolean();

    public String type() {
      return "interruptible";
    }

    public JsonNode run(TaskContext context, JsonNode input) throws InterruptedException {
      began.countDown();
      try {
        new CountDownLatch(1).await();
        throw new IllegalStateException("unreachable");
      } catch (InterruptedException e) {
        cancelledWhenInterrupted.set(context.isCancelled());
        interrupted.countDown();
        throw e;
      }
    }
  }

  /** Answers at once and notes that it ran. */
  private static final class Quick implements TaskHandler {
    final CountDownLatch began = new CountDownLatch(1);

    public String type() {
      return "quick";
    }

    public JsonNode run(TaskContext context, JsonNode input) {
      began.countDown();
      return JsonNodeFactory.instance.textNode("done");
    }
  }

  /** A worker with one slot and one prefetch place, past its hello to the scheduler. */
  private ActorRef<TaskWorker.Command> worker(TestProbe<TaskScheduler.Command> scheduler, TaskHandler... handlers) {
    var worker = testKit.spawn(TaskWorker.create(scheduler.getRef(), GO, new TaskHandlers(List.of(handlers)),
        CONFIG.getConfig("colony.tasks")));
    assertEquals(2, scheduler.expectMessageClass(TaskScheduler.WorkerReady.class).freeSlots());
    return worker;
  }

  private TaskWorker.WorkerStats stats(ActorRef<TaskWorker.Command> worker) {
    TestProbe<TaskWorker.WorkerStats> probe = testKit.createTestProbe();
    worker.tell(new TaskWorker.GetStats(probe.getRef()));
    return probe.receiveMessage();
  }

  private static void await(CountDownLatch latch, String what) throws InterruptedException {
    assertTrue(latch.await(5, TimeUnit.SECONDS), what);
  }

  @Test
  void aHandlerThatIgnoresItsInterruptKeepsItsSlotUntilItReturns() throws InterruptedException {
    TestProbe<TaskScheduler.Command> scheduler = testKit.createTestProbe();
    Stubborn stubborn = new Stubborn();
    Quick quick = new Quick();
    var worker = worker(scheduler, stubborn, quick);
    try {
      worker.tell(dispatch(spec("s", "stubborn", 200), "1-1"));
      TaskScheduler.AttemptResult timedOut = scheduler.expectMessageClass(TaskScheduler.AttemptResult.class);
      assertEquals("s", timedOut.taskId());
      assertEquals("timed out after 200 ms", timedOut.outcome().error(), "reported at once, so it is retried elsewhere");
      assertEquals(0, timedOut.worker().freeSlots(),
          "the stuck slot is not free, and no prefetch room is offered while a slot is stuck");
      await(stubborn.interrupted, "the handler's thread was interrupted");
      assertEquals(new TaskWorker.WorkerStats(stats(worker).node(), 1, 1, 1, 0, 1), stats(worker));

      worker.tell(dispatch(spec("q", "quick", 10_000), "1-2"));
      scheduler.expectNoMessage(Duration.ofMillis(500));
      assertEquals(1, quick.began.getCount(), "the next attempt does not get the stuck slot");
      TaskWorker.WorkerStats whileStuck = stats(worker);
      assertEquals(1, whileStuck.busy());
      assertEquals(1, whileStuck.stuck());

      stubborn.release.countDown();
      assertEquals(1, scheduler.expectMessageClass(TaskScheduler.WorkerReady.class).freeSlots(),
          "the slot came back and went to the waiting attempt");
      TaskScheduler.AttemptResult next = scheduler.expectMessageClass(TaskScheduler.AttemptResult.class);
      assertEquals("q", next.taskId());
      assertEquals(TaskStatus.SUCCEEDED, next.outcome().status(), next.outcome().toString());
      assertEquals(2, next.worker().freeSlots());
      TaskWorker.WorkerStats after = stats(worker);
      assertEquals(0, after.busy());
      assertEquals(0, after.stuck());
    } finally {
      stubborn.release.countDown();
    }
  }

  @Test
  void anAttemptWaitingForAStuckSlotIsNotTimedOutBeforeItRuns() throws InterruptedException {
    TestProbe<TaskScheduler.Command> scheduler = testKit.createTestProbe();
    Stubborn stubborn = new Stubborn();
    Quick quick = new Quick();
    var worker = worker(scheduler, stubborn, quick);
    try {
      worker.tell(dispatch(spec("s", "stubborn", 100), "1-1"));
      assertEquals("s", scheduler.expectMessageClass(TaskScheduler.AttemptResult.class).taskId());

      // q waits for the stuck slot three times longer than its own timeout
      worker.tell(dispatch(spec("q", "quick", 200), "1-2"));
      scheduler.expectNoMessage(Duration.ofMillis(600));
      assertEquals(1, quick.began.getCount());

      stubborn.release.countDown();
      TaskScheduler.AttemptResult next = scheduler.fishForMessage(Duration.ofSeconds(3), m ->
          m instanceof TaskScheduler.AttemptResult
              ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
              : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())
          .stream().filter(TaskScheduler.AttemptResult.class::isInstance).map(TaskScheduler.AttemptResult.class::cast)
          .findFirst().orElseThrow();
      assertEquals("q", next.taskId());
      assertEquals(TaskStatus.SUCCEEDED, next.outcome().status(), next.outcome().toString());
    } finally {
      stubborn.release.countDown();
    }
  }

  @Test
  void anInterruptibleHandlerIsInterruptedWhenItTimesOut() throws InterruptedException {
    TestProbe<TaskScheduler.Command> scheduler = testKit.createTestProbe();
    Interruptible handler = new Interruptible();
    var worker = worker(scheduler, handler);
    worker.tell(dispatch(spec("i", "interruptible", 200), "1-1"));

    TaskScheduler.AttemptResult timedOut = scheduler.expectMessageClass(TaskScheduler.AttemptResult.class);
    assertEquals("timed out after 200 ms", timedOut.outcome().error());
    await(handler.interrupted, "the handler's thread was interrupted");
    assertTrue(handler.cancelledWhenInterrupted.get(), "isCancelled() is true before the interrupt");
    // the thread returned: its slot is announced free, and no second outcome is reported
    assertEquals(2, scheduler.expectMessageClass(TaskScheduler.WorkerReady.class).freeSlots());
    TaskWorker.WorkerStats after = stats(worker);
    assertEquals(0, after.busy());
    assertEquals(0, after.stuck());
    assertEquals(1, after.failed());
  }

  @Test
  void anInterruptibleHandlerIsInterruptedWhenItsAttemptIsCancelled() throws InterruptedException {
    TestProbe<TaskScheduler.Command> scheduler = testKit.createTestProbe();
    Interruptible handler = new Interruptible();
    var worker = worker(scheduler, handler);
    worker.tell(dispatch(spec("i", "interruptible", 10_000), "1-1"));
    await(handler.began, "the handler began");

    worker.tell(new TaskWorker.CancelAttempt("i", "1-1"));
    await(handler.interrupted, "the handler's thread was interrupted");
    assertTrue(handler.cancelledWhenInterrupted.get());
    // a cancelled attempt reports no outcome; its slot is announced free once the thread returned
    assertEquals(2, scheduler.expectMessageClass(TaskScheduler.WorkerReady.class).freeSlots());
    TaskWorker.WorkerStats after = stats(worker);
    assertEquals(0, after.busy());
    assertEquals(0, after.stuck());
  }

  @Test
  void builtInSleepGivesItsSlotBackPromptlyAfterATimeout() {
    TestProbe<TaskScheduler.Command> scheduler = testKit.createTestProbe();
    var worker = worker(scheduler, new BuiltInTasks.Sleep());
    worker.tell(dispatch(new TaskSpec("slow", "sleep",
        JsonNodeFactory.instance.objectNode().put("ms", 600_000), 200, 2, 0, 0), "1-1"));
    assertEquals("timed out after 200 ms", scheduler.expectMessageClass(TaskScheduler.AttemptResult.class).outcome().error());
    assertEquals(2, scheduler.expectMessageClass(TaskScheduler.WorkerReady.class, Duration.ofSeconds(1)).freeSlots(),
        "the interrupted sleep returned at once");
  }

  @Test
  void aStuckAttemptIsLoggedAsAWarning() {
    TestProbe<TaskScheduler.Command> scheduler = testKit.createTestProbe();
    Stubborn stubborn = new Stubborn();
    var worker = worker(scheduler, stubborn);
    try {
      LoggingTestKit.warn("ignored its interrupt").expect(testKit.system(), () -> {
        worker.tell(dispatch(spec("s", "stubborn", 100), "1-1"));
        return null;
      });
    } finally {
      stubborn.release.countDown();
    }
  }
}
