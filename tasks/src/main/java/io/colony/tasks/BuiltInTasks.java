package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The task types every node has: {@code sleep}, {@code pi} and {@code fail}. Each stops soon
 * after its attempt is interrupted (timeout or cancel), so its slot does not stay stuck.
 */
public final class BuiltInTasks {

  private BuiltInTasks() {}

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** True once the attempt should stop: cancelled or timed out, or its thread interrupted. */
  static boolean stopRequested(TaskContext context) {
    return context.isCancelled() || Thread.currentThread().isInterrupted();
  }

  /**
   * {@code {"ms": N}}: waits N ms, answers {@code {"sleptMs": N}}. An interrupt ends the wait at
   * once; a cancellation seen only through {@link TaskContext#isCancelled()} within 50 ms.
   */
  public static final class Sleep implements TaskHandler {
    @Override
    public String type() {
      return "sleep";
    }

    @Override
    public void validate(JsonNode input) {
      long ms = input.path("ms").asLong(-1);
      if (!input.path("ms").canConvertToLong() || ms < 0 || ms > 3_600_000) {
        throw new IllegalArgumentException("sleep needs {\"ms\": N} with 0 <= N <= 3600000");
      }
    }

    @Override
    public JsonNode run(TaskContext context, JsonNode input) throws InterruptedException {
      long ms = input.path("ms").asLong();
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
      for (long left = ms; left > 0; left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
        if (context.isCancelled()) {
          throw new InterruptedException("sleep cancelled");
        }
        Thread.sleep(Math.min(50, left));
      }
      return JSON.objectNode().put("sleptMs", ms);
    }
  }

  /**
   * {@code {"samples": N}}: Monte Carlo estimate of π from N random points. Looks for a
   * cancellation every 65536 samples (well under a millisecond).
   */
  public static final class Pi implements TaskHandler {
    @Override
    public String type() {
      return "pi";
    }

    @Override
    public void validate(JsonNode input) {
      long samples = input.path("samples").asLong(-1);
      if (samples < 1 || samples > 1_000_000_000L) {
        throw new IllegalArgumentException("pi needs {\"samples\": N} with 1 <= N <= 1000000000");
      }
    }

    @Override
    public JsonNode run(TaskContext context, JsonNode input) {
      long samples = input.path("samples").asLong();
      ThreadLocalRandom random = ThreadLocalRandom.current();
      long inside = 0;
      for (long i = 0; i < samples; i++) {
        if ((i & 0xFFFF) == 0 && stopRequested(context)) {
          throw new NonRetryableTaskException("cancelled");
        }
        double x = random.nextDouble();
        double y = random.nextDouble();
        if (x * x + y * y <= 1) {
          inside++;
        }
      }
      return JSON.objectNode().put("pi", 4.0 * inside / samples).put("samples", samples);
    }
  }

  /** Always throws, to exercise retries; {@code {"retryable": false}} fails without retries. */
  public static final class Fail implements TaskHandler {
    @Override
    public String type() {
      return "fail";
    }

    @Override
    public JsonNode run(TaskContext context, JsonNode input) {
      String message = input.path("message").asText("failed on purpose (attempt " + context.attempt() + ")");
      if (!input.path("retryable").asBoolean(true)) {
        throw new NonRetryableTaskException(message);
      }
      throw new IllegalStateException(message);
    }
  }
}
