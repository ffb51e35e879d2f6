package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** One worker pool: slots, prefetch, refusal beyond capacity, timeouts from the start of the run. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TaskWorkerTest {

  private static final Config CONFIG = ConfigFactory.parseString("""
      pekko.actor.provider = local
      colony.tasks { worker-slots = 1, prefetch = 1, heartbeat = 1h }
      """).withFallback(ConfigFactory.load());

  private final ActorTestKit testKit = ActorTestKit.create(CONFIG);
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

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

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
}
