package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** The built-in handlers stop soon after their attempt is interrupted or cancelled. */
@ExtendWith(LogCapturingExtension.class)
class BuiltInTasksTest {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private static TaskContext context(AtomicBoolean cancelled) {
    return new TaskContext() {
      public String taskId() {
        return "t";
      }

      public int attempt() {
        return 1;
      }

      public boolean isCancelled() {
        return cancelled.get();
      }

      public ActorSystem<?> system() {
        return null;
      }
    };
  }

  /** Runs the handler on a thread of its own; the latch opens with what it threw, once it ends. */
  private static Thread start(TaskHandler handler, JsonNode input, AtomicBoolean cancelled,
      AtomicReference<Throwable> thrown, CountDownLatch ended) {
    Thread thread = new Thread(() -> {
      try {
        handler.run(context(cancelled), input);
      } catch (Throwable e) {
        thrown.set(e);
      } finally {
        ended.countDown();
      }
    });
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  @Test
  void sleepEndsAtOnceWhenItsThreadIsInterrupted() throws InterruptedException {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch ended = new CountDownLatch(1);
    Thread thread = start(new BuiltInTasks.Sleep(), JSON.objectNode().put("ms", 600_000), new AtomicBoolean(), thrown, ended);
    thread.interrupt();
    assertTrue(ended.await(1, TimeUnit.SECONDS), "a ten-minute sleep ended within a second of the interrupt");
    assertTrue(thrown.get() instanceof InterruptedException, String.valueOf(thrown.get()));
  }

  @Test
  void sleepEndsSoonWhenItsAttemptIsCancelledWithoutAnInterrupt() throws InterruptedException {
    AtomicBoolean cancelled = new AtomicBoolean();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch ended = new CountDownLatch(1);
    start(new BuiltInTasks.Sleep(), JSON.objectNode().put("ms", 600_000), cancelled, thrown, ended);
    cancelled.set(true);
    assertTrue(ended.await(1, TimeUnit.SECONDS), "it looks at isCancelled() every 50 ms");
    assertTrue(thrown.get() instanceof InterruptedException, String.valueOf(thrown.get()));
  }

  @Test
  void sleepStillSleepsItsTimeAndAnswers() throws Exception {
    JsonNode result = new BuiltInTasks.Sleep().run(context(new AtomicBoolean()), JSON.objectNode().put("ms", 20));
    assertEquals(20, result.get("sleptMs").asInt());
  }

  @Test
  void piStopsWhenItsAttemptIsCancelled() {
    TaskContext cancelled = context(new AtomicBoolean(true));
    assertThrows(NonRetryableTaskException.class,
        () -> new BuiltInTasks.Pi().run(cancelled, JSON.objectNode().put("samples", 1_000_000_000L)));
  }

  @Test
  void piStopsWhenItsThreadIsInterrupted() throws InterruptedException {
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    CountDownLatch ended = new CountDownLatch(1);
    Thread thread = start(new BuiltInTasks.Pi(), JSON.objectNode().put("samples", 1_000_000_000L), new AtomicBoolean(),
        thrown, ended);
    thread.interrupt();
    assertTrue(ended.await(1, TimeUnit.SECONDS), "a billion samples take far longer than a second");
    assertTrue(thrown.get() instanceof NonRetryableTaskException, String.valueOf(thrown.get()));
  }

  @Test
  void wordcountStopsWhenItsAttemptIsCancelled() {
    String text = "word ".repeat(WordCountTask.CHECK_EVERY * 4);
    TaskContext cancelled = context(new AtomicBoolean(true));
    assertThrows(InterruptedException.class, () -> new WordCountTask().run(cancelled, JSON.objectNode().put("text", text)));
  }

  @Test
  void wordcountCountsLowerCasedRunsOfLettersDigitsAndApostrophes() throws InterruptedException {
    Map<String, Integer> counts = new HashMap<>();
    WordCountTask.count("It's a dog's life -- DOG'S life, 42 Été  été!", counts, context(new AtomicBoolean()));
    assertEquals(Map.of("it's", 1, "a", 1, "dog's", 2, "life", 2, "42", 1, "été", 2), counts);
  }
}
