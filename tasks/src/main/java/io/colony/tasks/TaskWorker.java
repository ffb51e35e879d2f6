package io.colony.tasks;

import io.colony.persistence.CborSerializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
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
 * it), asks the task's record before each attempt, runs the handler on a thread pool of its
 * own, enforces the per-attempt timeout from the moment the handler starts, and reports the
 * outcome with the attempt's token.
 *
 * <p>A timed-out or cancelled attempt's thread is interrupted. Its outcome (on timeout) is
 * reported at once, so the task is retried elsewhere, but its slot stays busy ("stuck") until
 * the handler actually returns: a slot never gets new work while a thread still runs old work.
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

  /**
   * One node's pool, for {@code GET /v1/workers}. {@code busy} slots run a handler; {@code stuck}
   * of them run one that was interrupted (timed out or cancelled) and has not returned yet.
   */
  public record WorkerStats(String node, int slots, int busy, int stuck, long succeeded, long failed)
      implements CborSerializable {}

  private record Started(String token, TaskRecord.StartReply reply, Throwable failure) implements Command {}

  /** The handler began on its thread, at {@code nanoTime}. */
  private record Began(String token, long nanoTime) implements Command {}

  /** The thread is done with the attempt (the handler returned or threw, or never began). */
  private record Done(String token, Outcome outcome) implements Command {}

  private record TimedOut(String token) implements Command {}

  private record StillStuck(String token) implements Command {}

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
  private final ExecutorService threads;
  private final String node;
  private final int slots;
  private final int capacity;
  private final Duration stuckWarningAfter;
  /** Attempts with their go-ahead, waiting for a slot. */
  private final java.util.ArrayDeque<Ready> ready = new java.util.ArrayDeque<>();
  /** The attempts that hold a slot: given to a thread and not yet done with it (at most {@code slots}). */
  private final Map<String, AttemptRun> running = new HashMap<>();
  /**
   * Those of {@link #running} that timed out or were cancelled but whose thread has not returned
   * yet. They stay in {@link #attempts} and {@link #running} too, so their slot is not free.
   */
  private final java.util.Set<String> stuck = new java.util.HashSet<>();
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
    this.node = context.getSystem().address().toString();
    this.slots = settings.getInt("worker-slots");
    this.capacity = slots + settings.getInt("prefetch");
    this.stuckWarningAfter = settings.getDuration("stuck-warning-after");
    this.threads = newThreadPool(slots, context.getSystem().name());
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
        .onMessage(Began.class, this::onBegan)
        .onMessage(Done.class, this::onDone)
        .onMessage(TimedOut.class, this::onTimedOut)
        .onMessage(CancelAttempt.class, this::onCancel)
        .onMessage(StillStuck.class, this::onStillStuck)
        .onMessage(GetStats.class, this::onGetStats)
        .onMessageEquals(Heartbeat.INSTANCE, this::onHeartbeat)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  /**
   * Task code may block: it gets threads of its own, never Pekko's default dispatcher. Exactly
   * one thread per slot, no spares: a stuck attempt keeps its slot until its thread returns, so
   * at most {@code slots} handlers are ever in progress and a free slot always has a free
   * thread (a thread that has just reported its attempt done may take a few microseconds more
   * to come back; the next attempt waits in the pool's queue for it, and its timeout only
   * starts when its handler begins). Spare threads would never be used, and a handler that
   * never returns costs one slot, not an ever-growing number of threads. Daemon threads, so a
   * handler that ignores even the interrupt at shutdown does not keep the JVM alive.
   */
  private static ExecutorService newThreadPool(int threads, String systemName) {
    AtomicInteger count = new AtomicInteger();
    return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread thread = new Thread(r, systemName + "-task-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  private void announce() {
    scheduler.tell(readiness());
  }

  /**
   * Free slots plus prefetch room. While a slot is stuck no prefetch room is offered: a
   * prefetched attempt could wait behind it past the scheduler's deadline for the attempt.
   */
  private TaskScheduler.WorkerReady readiness() {
    int room = (stuck.isEmpty() ? capacity : slots) - attempts.size();
    return new TaskScheduler.WorkerReady(getContext().getSelf(), node, Math.max(0, room));
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

  /** Gives waiting attempts to threads while slots are free. */
  private void startReady() {
    while (running.size() < slots && !ready.isEmpty()) {
      Ready next = ready.poll();
      run(attempts.get(next.token()), next.token(), next.number());
    }
  }

  private void run(Attempt attempt, String token, int number) {
    ActorRef<Command> self = getContext().getSelf();
    AttemptRun run = new AttemptRun(attempt.spec(), number, handlers, getContext().getSystem(), node,
        attempt.cancelled(), nanoTime -> self.tell(new Began(token, nanoTime)),
        outcome -> self.tell(new Done(token, outcome)));
    running.put(token, run);
    threads.execute(run);
  }

  /** The timeout counts from here, not from the wait for a slot or a thread. */
  private Behavior<Command> onBegan(Began began) {
    Attempt attempt = attempts.get(began.token());
    if (attempt != null && running.containsKey(began.token()) && !stuck.contains(began.token())) {
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began.nanoTime());
      long leftMs = Math.max(1, attempt.spec().timeoutMs() - elapsedMs);
      timers.startSingleTimer(began.token(), new TimedOut(began.token()), Duration.ofMillis(leftMs));
    }
    return this;
  }

  private Behavior<Command> onDone(Done done) {
    if (stuck.contains(done.token())) {
      // Its outcome was settled on timeout or cancel; only the slot comes back now.
      getContext().getLog().debug("The stuck attempt {} returned; its slot is free again", done.token());
      release(done.token());
      announce();
      return this;
    }
    Attempt attempt = release(done.token());
    if (attempt != null) {
      report(attempt, done.token(), done.outcome());
    }
    return this;
  }

  private Behavior<Command> onTimedOut(TimedOut timedOut) {
    Attempt attempt = attempts.get(timedOut.token());
    if (attempt != null && running.containsKey(timedOut.token()) && !stuck.contains(timedOut.token())) {
      interrupt(timedOut.token());
      report(attempt, timedOut.token(),
          Outcome.failed("timed out after " + attempt.spec().timeoutMs() + " ms", true));
    }
    return this;
  }

  private Behavior<Command> onCancel(CancelAttempt cancel) {
    if (running.containsKey(cancel.token())) {
      // No outcome: the scheduler settles a cancelled task itself.
      if (!stuck.contains(cancel.token())) {
        interrupt(cancel.token());
      }
      return this;
    }
    Attempt attempt = release(cancel.token());
    if (attempt != null) {
      attempt.cancelled().set(true);
      announce();
    }
    return this;
  }

  /** Interrupts a running attempt; it keeps its slot until its thread returns. */
  private void interrupt(String token) {
    timers.cancel(token);
    stuck.add(token);
    running.get(token).cancel();
    timers.startSingleTimer(stuckTimerKey(token), new StillStuck(token), stuckWarningAfter);
  }

  private Behavior<Command> onStillStuck(StillStuck still) {
    Attempt attempt = attempts.get(still.token());
    if (attempt != null && stuck.contains(still.token())) {
      getContext().getLog().warn("Attempt {} of task {} (type {}) ignored its interrupt for {}; its slot stays busy"
          + " until the handler returns", still.token(), attempt.spec().id(), attempt.spec().type(), stuckWarningAfter);
    }
    return this;
  }

  private static String stuckTimerKey(String token) {
    return "stuck-" + token;
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

  /** Forgets an attempt and gives its slot to the next one waiting. Not for one whose thread still runs. */
  private Attempt release(String token) {
    timers.cancel(token);
    timers.cancel(stuckTimerKey(token));
    running.remove(token);
    stuck.remove(token);
    ready.removeIf(r -> r.token().equals(token));
    Attempt attempt = attempts.remove(token);
    startReady();
    return attempt;
  }

  /** Interrupts what still runs and lets the threads go. */
  private Behavior<Command> onPostStop() {
    running.values().forEach(AttemptRun::cancel);
    threads.shutdownNow();
    return this;
  }

  private Behavior<Command> onGetStats(GetStats get) {
    get.replyTo().tell(new WorkerStats(node, slots, running.size(), stuck.size(), succeeded, failed));
    return this;
  }
}
