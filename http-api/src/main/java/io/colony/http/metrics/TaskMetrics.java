package io.colony.http.metrics;

import io.colony.tasks.TaskWorker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * This node's worker pool: {@code colony_task_worker_slots{state="busy"|"free"}},
 * {@code colony_task_worker_stuck_slots} (busy with an attempt that was interrupted and has not
 * returned) and {@code colony_task_attempts_total{outcome="succeeded"|"failed"}}. The pool is an
 * actor, so its numbers are asked for before each scrape ({@link #refresh()}); when it does not
 * answer, the last answer stays. Before the first answer every value is 0.
 */
public final class TaskMetrics implements ScrapedMetrics {

  private final Supplier<CompletionStage<TaskWorker.WorkerStats>> ask;
  private final AtomicReference<TaskWorker.WorkerStats> last =
      new AtomicReference<>(new TaskWorker.WorkerStats("", 0, 0, 0, 0, 0));

  public TaskMetrics(Supplier<CompletionStage<TaskWorker.WorkerStats>> ask) {
    this.ask = ask;
  }

  @Override
  public CompletionStage<Void> refresh() {
    return ask.get().handle((stats, failure) -> {
      if (stats != null) {
        last.set(stats);
      }
      return null;
    });
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder("colony.task.worker.slots", () -> last.get().busy())
        .description("This node's worker slots, busy running an attempt or free")
        .tag("state", "busy")
        .register(registry);
    Gauge.builder("colony.task.worker.slots", () -> Math.max(0, last.get().slots() - last.get().busy()))
        .description("This node's worker slots, busy running an attempt or free")
        .tag("state", "free")
        .register(registry);
    Gauge.builder("colony.task.worker.stuck.slots", () -> last.get().stuck())
        .description("Busy slots whose attempt was interrupted (timed out or cancelled) and has not returned")
        .register(registry);
    FunctionCounter.builder("colony.task.attempts", last, stats -> stats.get().succeeded())
        .description("Task attempts this node's workers finished, by outcome")
        .tag("outcome", "succeeded")
        .register(registry);
    FunctionCounter.builder("colony.task.attempts", last, stats -> stats.get().failed())
        .description("Task attempts this node's workers finished, by outcome")
        .tag("outcome", "failed")
        .register(registry);
  }
}
