package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * One attempt's run of its handler on a worker thread. It says when the handler begins (so the
 * timeout counts from then, not from a wait for a thread) and always says when the thread is
 * done with it, whatever the handler did. {@link #cancel()} sets the attempt's
 * {@link TaskContext#isCancelled()} and interrupts exactly the thread that runs this handler,
 * and only while it does: an interrupt never reaches the thread's next attempt.
 */
final class AttemptRun implements Runnable {

  private final TaskSpec spec;
  private final int number;
  private final TaskHandlers handlers;
  private final ActorSystem<?> system;
  private final String node;
  private final AtomicBoolean cancelled;
  private final LongConsumer began;
  private final Consumer<Outcome> finished;
  /** The thread that runs the handler now; null before and after. Guarded by {@code this}. */
  private Thread thread;

  /**
   * @param began told the {@link System#nanoTime()} at which the handler begins (on the worker thread)
   * @param finished told the outcome once the handler has returned or thrown, or at once if the
   *     attempt was cancelled before it began (on the worker thread, after {@code began})
   */
  AttemptRun(TaskSpec spec, int number, TaskHandlers handlers, ActorSystem<?> system, String node,
      AtomicBoolean cancelled, LongConsumer began, Consumer<Outcome> finished) {
    this.spec = spec;
    this.number = number;
    this.handlers = handlers;
    this.system = system;
    this.node = node;
    this.cancelled = cancelled;
    this.began = began;
    this.finished = finished;
  }

  /** Marks the attempt cancelled and interrupts its handler's thread if the handler runs now. */
  synchronized void cancel() {
    cancelled.set(true);
    if (thread != null) {
      thread.interrupt();
    }
  }

  @Override
  public void run() {
    Outcome outcome = Outcome.failed("cancelled before it began", false);
    try {
      synchronized (this) {
        if (cancelled.get()) {
          return;
        }
        thread = Thread.currentThread();
      }
      began.accept(System.nanoTime());
      outcome = invoke();
    } catch (Throwable e) {
      // finished must be told whatever happened, or the slot would never come back.
      outcome = Outcome.failed(String.valueOf(e), true);
    } finally {
      synchronized (this) {
        thread = null;
      }
      // cancel() interrupts only under the lock while thread is set, so a late interrupt has
      // landed by now; clear it so that it stays with this attempt.
      Thread.interrupted();
      finished.accept(outcome);
    }
  }

  private Outcome invoke() {
    TaskHandler handler = handlers.find(spec.type()).orElse(null);
    if (handler == null) {
      return Outcome.failed("task type '" + spec.type() + "' is unknown on " + node, false);
    }
    try {
      return Outcome.succeeded(handler.run(new Context(), spec.input()));
    } catch (NonRetryableTaskException e) {
      return Outcome.failed(e.getMessage(), false);
    } catch (Exception e) {
      return Outcome.failed(e.getClass().getSimpleName() + ": " + e.getMessage(), true);
    }
  }

  private final class Context implements TaskContext {
    @Override
    public String taskId() {
      return spec.id();
    }

    @Override
    public int attempt() {
      return number;
    }

    @Override
    public boolean isCancelled() {
      return cancelled.get();
    }

    @Override
    public ActorSystem<?> system() {
      return system;
    }
  }
}
