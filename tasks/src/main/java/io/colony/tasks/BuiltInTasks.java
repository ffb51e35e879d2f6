package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.concurrent.ThreadLocalRandom;

/** The task types every node has: {@code sleep}, {@code pi} and {@code fail}. */
public final class BuiltInTasks {

  private BuiltInTasks() {}

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** {@code {"ms": N}}: waits N ms (cancellable), answers {@code {"sleptMs": N}}. */
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
      long deadline = System.nanoTime() + ms * 1_000_000;
      while (System.nanoTime() < deadline && !context.isCancelled()) {
        Thread.sleep(Math.max(0, Math.min(50, (deadline - System.nanoTime()) / 1_000_000)));
      }
      return JSON.objectNode().put("sleptMs", ms);
    }
  }

  /** {@code {"samples": N}}: Monte Carlo estimate of π from N random points. */
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
        if ((i & 0xFFFF) == 0 && context.isCancelled()) {
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
