package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.persistence.CborSerializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * A node's worker pool: {@code worker-slots} attempts run at once. It tells the scheduler how
 * many more attempts it can take (and repeats it as a heartbeat, so a new scheduler learns of
 * it), asks the task's record before each attempt, runs the handler on the task dispatcher,
 * enforces the per-attempt timeout from the moment the handler starts, and reports the
 * outcome with the attempt's token.
 *
 * <p>It takes up to {@code prefetch} attempts beyond its slots: their go-ahead from the
 * record (a journal write) is fetched while the slots are busy, so a slot does not sit idle
 * for that round trip. A prefetched attempt shows as RUNNING while it waits for a slot.
 */
public final class TaskWorker extends AbstractBehavior<TaskWorker.Command> {

  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "colony-task-workers");

  // --- protocol ---

  public interface Command extends CborSerializable {}

  /** Run an attempt of this task; the spec comes with the record's go-ahead. */
  public record Dispatch(String taskId, String token, long timeoutMs) implements Command {}

  public record CancelAttempt(String taskId, String token) implements Command {}

  public record GetStats(ActorRef<WorkerStats> replyTo) implements Command {}

  /** One node's pool, for {@code GET /v1/workers}. */
  public record WorkerStats(String node, int slots, int busy, long succeeded, long failed) implements CborSerializable {}

  private record Started(String token, TaskRecord.StartReply reply, Throwable failure) implements Command {}

  private record Done(String token, Outcome outcome) implements Command {}

  private record TimedOut(String token) implements Command {}

  private enum Heartbeat implements Command {
    INSTANCE
  }

  // --- state ---

  private record Attempt(TaskSpec spec, AtomicBoolean cancelled) {}

  private record Ready(String token, int number) {}

  private final ActorRef<TaskScheduler.Command> scheduler;
  private final TaskRecords records;
  private final TaskHandlers handlers;
  private final TimerScheduler<Command> timers;
  private final Executor executor;
  private final String node;
  private final int slots;
  private final int capacity;
  /** Attempts with their go-ahead, waiting for a slot. */
  private final java.util.ArrayDeque<Ready> ready = new java.util.ArrayDeque<>();
  /** Tokens of the attempts whose handler runs now (at most {@code slots}). */
  private final java.util.Set<String> running = new java.util.HashSet<>();
  private final Map<String, Attempt> attempts = new HashMap<>();
  private long succeeded;
  private long failed;

  private TaskWorker(ActorContext<Command> context, TimerScheduler<Command> timers,
      ActorRef<TaskScheduler.Command> scheduler, TaskRecords records,
      TaskHandlers handlers, com.typesafe.config.Config settings) {
    super(context);
    this.scheduler = scheduler;
    this.records = records;
    this.handlers = handlers;
    this.timers = timers;
    // Task code may block: it gets its own threads, never Pekko's default dispatcher.
    this.executor = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("colony.tasks.dispatcher"));
    this.node = context.getSystem().address().toString();
    this.slots = settings.getInt("worker-slots");
    this.capacity = slots + settings.getInt("prefetch");
    context.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, context.getSelf()));
    timers.startTimerWithFixedDelay(Heartbeat.INSTANCE, settings.getDuration("heartbeat"));
    announce();
  }

  /** {@code settings} is the {@code colony.tasks} section. */
  public static Behavior<Command> create(ActorRef<TaskScheduler.Command> scheduler, TaskRecords records,
      TaskHandlers handlers, com.typesafe.config.Config settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new TaskWorker(context, timers, scheduler, records, handlers, settings)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Dispatch.class, this::onDispatch)
        .onMessage(Started.class, this::onStarted)
        .onMessage(Done.class, this::onDone)
        .onMessage(TimedOut.class, this::onTimedOut)
        .onMessage(CancelAttempt.class, this::onCancel)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessageEquals(Heartbeat.INSTANCE, this::onHeartbeat)
        .build();
  }

  private void announce() {
    scheduler.tell(readiness());
  }

  private TaskScheduler.WorkerReady readiness() {
    return new TaskScheduler.WorkerReady(getContext().getSelf(), node, capacity - attempts.size());
  }

  private Behavior<Command> onHeartbeat() {
    announce();
    return this;
  }

  private Behavior<Command> onDispatch(Dispatch dispatch) {
    if (attempts.size() >= capacity || attempts.containsKey(dispatch.token())) {
      scheduler.tell(new TaskScheduler.AttemptRefused(dispatch.taskId(), dispatch.token()));
      return this;
    }
    // Until the record's go-ahead brings the spec, the attempt is known by its id and timeout only.
    attempts.put(dispatch.token(), new Attempt(TaskSpec.awaitingGoAhead(dispatch.taskId(), dispatch.timeoutMs()),
        new AtomicBoolean()));
    getContext().pipeToSelf(records.startAttempt(dispatch.taskId(), dispatch.token(), node),
        (reply, failure) -> new Started(dispatch.token(), reply, failure));
    return this;
  }

  private Behavior<Command> onStarted(Started started) {
    Attempt attempt = attempts.get(started.token());
    if (attempt == null) {
      return this;
    }
    String taskId = attempt.spec().id();
    if (started.failure() != null) {
      // The record did not answer: the attempt never started; the scheduler runs it again.
      release(started.token());
      scheduler.tell(new TaskScheduler.AttemptRefused(taskId, started.token()));
      announce();
      return this;
    }
    if (started.reply() instanceof TaskRecord.Abort) {
      release(started.token());
      scheduler.tell(new TaskScheduler.AttemptSkipped(taskId, started.token()));
      announce();
      return this;
    }
    TaskRecord.Go go = (TaskRecord.Go) started.reply();
    attempts.put(started.token(), new Attempt(go.spec(), attempt.cancelled()));
    ready.add(new Ready(started.token(), go.attempt()));
    startReady();
    return this;
  }

  /** Starts waiting attempts while slots are free; each one's timeout runs from its start. */
  private void startReady() {
    while (running.size() < slots && !ready.isEmpty()) {
      Ready next = ready.poll();
      Attempt attempt = attempts.get(next.token());
      running.add(next.token());
      timers.startSingleTimer(next.token(), new TimedOut(next.token()), Duration.ofMillis(attempt.spec().timeoutMs()));
      run(attempt, next.token(), next.number());
    }
  }

  private void run(Attempt attempt, String token, int number) {
    TaskSpec spec = attempt.spec();
    ActorSystem<?> system = getContext().getSystem();
    TaskContext context = new TaskContext() {
      public String taskId() {
        return spec.id();
      }

      public int attempt() {
        return number;
      }

      public boolean isCancelled() {
        return attempt.cancelled().get();
      }

      public ActorSystem<?> system() {
        return system;
      }
    };
    CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> {
      TaskHandler handler = handlers.find(spec.type()).orElse(null);
      if (handler == null) {
        return Outcome.failed("task type '" + spec.type() + "' is unknown on " + node, false);
      }
      try {
        JsonNode result = handler.run(context, spec.input());
        return Outcome.succeeded(result);
      } catch (NonRetryableTaskException e) {
        return Outcome.failed(e.getMessage(), false);
      } catch (Exception e) {
        return Outcome.failed(e.getClass().getSimpleName() + ": " + e.getMessage(), true);
      }
    }, executor);
    getContext().pipeToSelf(outcome, (result, failure) ->
        new Done(token, failure == null ? result : Outcome.failed(String.valueOf(failure), true)));
  }

  private Behavior<Command> onDone(Done done) {
    Attempt attempt = release(done.token());
    if (attempt != null) {
      report(attempt, done.token(), done.outcome());
    }
    return this;
  }

  private Behavior<Command> onTimedOut(TimedOut timedOut) {
    Attempt attempt = release(timedOut.token());
    if (attempt != null) {
      attempt.cancelled().set(true);
      report(attempt, timedOut.token(),
          Outcome.failed("timed out after " + attempt.spec().timeoutMs() + " ms", true));
    }
    return this;
  }

  private Behavior<Command> onCancel(CancelAttempt cancel) {
    Attempt attempt = release(cancel.token());
    if (attempt != null) {
      attempt.cancelled().set(true);
      announce();
    }
    return this;
  }

  private void report(Attempt attempt, String token, Outcome outcome) {
    if (outcome.status() == TaskStatus.SUCCEEDED) {
      succeeded++;
    } else {
      failed++;
    }
    // The result carries the free slots, so it is the announcement too.
    scheduler.tell(new TaskScheduler.AttemptResult(attempt.spec().id(), token, outcome, readiness()));
  }

  /** Forgets an attempt and gives its slot to the next one waiting. */
  private Attempt release(String token) {
    timers.cancel(token);
    running.remove(token);
    ready.removeIf(r -> r.token().equals(token));
    Attempt attempt = attempts.remove(token);
    startReady();
    return attempt;
  }

  private Behavior<Command> onGetStats(GetStats get) {
    get.replyTo().tell(new WorkerStats(node, slots, running.size(), succeeded, failed));
    return this;
  }
}
