package io.colony.tasks;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.typesafe.config.Config;
import io.colony.persistence.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The task scheduler: one per cluster (a ClusterSingleton) with an event-sourced queue, so a
 * kill -9 of its node loses nothing. It owns the promise behind a 202: a task record answers
 * 202 only after this queue has persisted the task (see {@link TaskRecord}), and from then on
 * the queue dispatches it until it has an outcome, whatever node dies.
 *
 * <p>The queue ({@link TaskQueue}) holds per task only what dispatch needs, never its input.
 * Workers announce free slots and get at most that many attempts (pull, no push overload);
 * which worker gets which task is {@link Placement}'s pure decision; runtime facts (workers,
 * running attempts) live in a {@link WorkerRegistry} and are not persisted: after a fail-over
 * every unfinished task is simply dispatched again. Results come back tagged with the
 * attempt's token ({@code <epoch>-<n>}); one that is not the task's current attempt — a late
 * result, or one from an earlier incarnation of the scheduler — is ignored.
 *
 * <p>Changes are group-committed: writes that arrive while a batch is being persisted are
 * buffered and persisted together as one journal event, so throughput is not capped by one
 * commit per task.
 */
public final class TaskScheduler extends EventSourcedBehavior<TaskScheduler.Command, TaskScheduler.Event, TaskQueue> {

  public static final String PERSISTENCE_ID = "task-scheduler";

  // --- protocol ---

  public interface Command extends CborSerializable {}

  /**
   * From a task record that has not accepted its task yet: queue it (idempotent). Answered with
   * {@link TaskRecord.Enqueued} once the task is in the journal, or {@link TaskRecord.EnqueueRefused}
   * when the queue is full.
   */
  public record Enqueue(String taskId, int priority, int maxAttempts, long timeoutMs,
      ActorRef<TaskRecord.Command> record) implements Command {

    static Enqueue of(TaskSpec spec, ActorRef<TaskRecord.Command> record) {
      return new Enqueue(spec.id(), spec.priority(), spec.maxAttempts(), spec.timeoutMs(), record);
    }
  }

  /**
   * From a worker: its result for one attempt, with its free slots after it (so a result needs
   * no second message to refill the worker). {@code worker} is null for a result the scheduler
   * makes up itself (a lost attempt).
   */
  public record AttemptResult(String taskId, String token, Outcome outcome, WorkerReady worker) implements Command {}

  /** From a worker: the record refused the attempt (the task is finished, cancelled or unknown). */
  public record AttemptSkipped(String taskId, String token) implements Command {}

  /** From a worker: it could not start the attempt (no free slot, record unreachable); run it again. */
  public record AttemptRefused(String taskId, String token) implements Command {}

  /** From a task record: the task was cancelled. */
  public record CancelTask(String taskId) implements Command {}

  /** From a task record: it has stored the outcome. */
  public record OutcomeRecorded(String taskId) implements Command {}

  /** From a worker, whenever its free slots change and as a heartbeat. */
  public record WorkerReady(ActorRef<TaskWorker.Command> worker, String node, int freeSlots) implements Command {}

  /** For tests and operators: the scheduler's view. */
  public record GetStatus(ActorRef<Status> replyTo) implements Command {}

  public record Status(long epoch, int queued, int running, int workers, int undelivered) implements CborSerializable {}

  enum Flush implements Command {
    INSTANCE
  }

  enum Tick implements Command {
    INSTANCE
  }

  enum StartEpoch implements Command {
    INSTANCE
  }

  private record WorkerGone(ActorRef<TaskWorker.Command> worker) implements Command {}

  // --- events ---

  /** The journal holds one event per group commit: every change of the batch. */
  public sealed interface Event extends CborSerializable permits Changed {}

  public record Changed(List<Change> changes) implements Event {}

  /** One change to the queue; the JSON names are the journal's format, so keep them stable. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "change")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = EpochStarted.class, name = "epoch-started"),
    @JsonSubTypes.Type(value = TaskQueued.class, name = "enqueued"),
    @JsonSubTypes.Type(value = AttemptFailed.class, name = "attempt-failed"),
    @JsonSubTypes.Type(value = TaskFinished.class, name = "finished"),
    @JsonSubTypes.Type(value = TaskDropped.class, name = "dropped"),
    @JsonSubTypes.Type(value = OutcomeDelivered.class, name = "delivered")
  })
  public sealed interface Change extends CborSerializable
      permits EpochStarted, TaskQueued, AttemptFailed, TaskFinished, TaskDropped, OutcomeDelivered {}

  public record EpochStarted(long epoch) implements Change {}

  /** {@code home}: the node of the task's record. */
  public record TaskQueued(String taskId, int priority, int maxAttempts, long timeoutMs, String home)
      implements Change {}

  public record AttemptFailed(String taskId, int failures, long notBefore, String error) implements Change {}

  public record TaskFinished(String taskId, Outcome outcome) implements Change {}

  public record TaskDropped(String taskId) implements Change {}

  public record OutcomeDelivered(String taskId) implements Change {}

  // --- behaviour ---

  private final ActorContext<Command> context;
  private final TaskRecords records;
  private final Duration backoffMin;
  private final Duration backoffMax;
  private final Duration lostAttemptGrace;
  private final Duration redeliverAfter;
  private final int snapshotEvery;
  private final int maxQueued;
  private final Placement<ActorRef<TaskWorker.Command>> placement;

  private final WorkerRegistry workers = new WorkerRegistry();
  private final Map<String, Long> lastDelivery = new HashMap<>();
  private final List<Command> pendingWrites = new ArrayList<>();
  private boolean flushRequested;
  private boolean epochStarted;
  private long dispatched;

  private TaskScheduler(ActorContext<Command> context, TimerScheduler<Command> timers, TaskRecords records,
      Config settings) {
    super(PersistenceId.ofUniqueId(PERSISTENCE_ID),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.context = context;
    this.records = records;
    this.backoffMin = settings.getDuration("backoff.min");
    this.backoffMax = settings.getDuration("backoff.max");
    this.lostAttemptGrace = settings.getDuration("lost-attempt-grace");
    this.redeliverAfter = settings.getDuration("redeliver-after");
    this.snapshotEvery = settings.getInt("scheduler-snapshot-every");
    this.maxQueued = settings.getInt("max-queued");
    this.placement = new Placement<>(settings.getInt("home-lookahead"));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.getDuration("tick"));
  }

  /** {@code settings} is the {@code colony.tasks} section. */
  public static Behavior<Command> create(TaskRecords records, Config settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new TaskScheduler(context, timers, records, settings)));
  }

  @Override
  public TaskQueue emptyState() {
    return new TaskQueue();
  }

  @Override
  public CommandHandler<Command, Event, TaskQueue> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Enqueue.class, this::buffer)
        .onCommand(AttemptResult.class, this::onAttemptResult)
        .onCommand(AttemptSkipped.class, this::buffer)
        .onCommand(CancelTask.class, this::buffer)
        .onCommand(OutcomeRecorded.class, this::buffer)
        .onCommand(StartEpoch.class, this::buffer)
        .onCommand(Flush.class, this::flush)
        .onCommand(AttemptRefused.class, this::onAttemptRefused)
        .onCommand(WorkerReady.class, this::onWorkerReady)
        .onCommand(WorkerGone.class, this::onWorkerGone)
        .onCommand(Tick.class, this::onTick)
        .onCommand(GetStatus.class, (queue, get) -> Effect().reply(get.replyTo(),
            new Status(queue.epoch(), queue.size(), workers.runningCount(), workers.size(), queue.outbox().size())))
        .build();
  }

  private Effect<Event, TaskQueue> onAttemptResult(TaskQueue queue, AttemptResult result) {
    buffer(queue, result);
    if (result.worker() != null) {
      onWorkerReady(queue, result.worker());
    }
    return Effect().none();
  }

  // --- group commit ---

  private Effect<Event, TaskQueue> buffer(TaskQueue queue, Command write) {
    pendingWrites.add(write);
    if (!flushRequested) {
      flushRequested = true;
      context.getSelf().tell(Flush.INSTANCE);
    }
    return Effect().none();
  }

  /** Turns every buffered write into events and persists them as one batch. */
  private Effect<Event, TaskQueue> flush(TaskQueue queue, Flush flush) {
    flushRequested = false;
    List<Command> writes = new ArrayList<>(pendingWrites);
    pendingWrites.clear();
    Batch batch = new Batch(queue);
    writes.forEach(batch::add);
    if (batch.events.isEmpty()) {
      batch.afterPersist.forEach(Runnable::run);
      return Effect().none();
    }
    return Effect().persist(new Changed(List.copyOf(batch.events))).thenRun(after -> {
      batch.afterPersist.forEach(Runnable::run);
      dispatch(after);
    });
  }

  /** Events of one flush, decided against the queue plus the batch's own earlier events. */
  private final class Batch {
    final TaskQueue queue;
    final List<Change> events = new ArrayList<>();
    final List<Runnable> afterPersist = new ArrayList<>();
    final Set<String> queuedHere = new HashSet<>();
    final Set<String> removedHere = new HashSet<>();
    final Set<String> deliveredHere = new HashSet<>();
    long epoch;

    Batch(TaskQueue queue) {
      this.queue = queue;
      this.epoch = queue.epoch();
    }

    boolean queued(String id) {
      return (queue.isQueued(id) || queuedHere.contains(id)) && !removedHere.contains(id);
    }

    void add(Command write) {
      if (write instanceof Enqueue e) {
        enqueue(e);
      } else if (write instanceof AttemptResult r) {
        if (!queued(r.taskId()) || !workers.endIfCurrent(r.taskId(), r.token())) {
          context.getLog().debug("Ignoring result of stale attempt {} of task {}", r.token(), r.taskId());
          return;
        }
        decide(queue.entry(r.taskId()), r.token(), r.outcome());
      } else if (write instanceof AttemptSkipped s) {
        // Only the current attempt's skip counts: an older one may predate the record's acceptance.
        if (workers.endIfCurrent(s.taskId(), s.token())) {
          drop(s.taskId());
        }
      } else if (write instanceof CancelTask c) {
        WorkerRegistry.Running current = workers.end(c.taskId());
        if (current != null) {
          current.worker().tell(new TaskWorker.CancelAttempt(c.taskId(), current.token()));
        }
        drop(c.taskId());
      } else if (write instanceof OutcomeRecorded d) {
        if (queue.awaitsDelivery(d.taskId()) && deliveredHere.add(d.taskId())) {
          events.add(new OutcomeDelivered(d.taskId()));
          afterPersist.add(() -> lastDelivery.remove(d.taskId()));
        }
      } else if (write instanceof StartEpoch) {
        epoch = epoch + 1;
        events.add(new EpochStarted(epoch));
        afterPersist.add(() -> {
          epochStarted = true;
          context.getLog().info("Task scheduler epoch {} started with {} queued tasks", epoch, queue.size());
        });
      }
    }

    private void enqueue(Enqueue e) {
      String id = e.taskId();
      if (queued(id)) {
        // The record asks again (its client retried after a timeout). An attempt dispatched
        // before may have been refused by the record while it had not accepted the task yet:
        // forget it, so its skip cannot drop the task, and dispatch the task afresh.
        workers.end(id);
      } else if (!queue.awaitsDelivery(id)) {
        if (queue.size() + queuedHere.size() >= maxQueued) {
          e.record().tell(new TaskRecord.EnqueueRefused(id, maxQueued));
          return;
        }
        events.add(new TaskQueued(id, e.priority(), e.maxAttempts(), e.timeoutMs(), nodeOf(e.record())));
        queuedHere.add(id);
      }
      afterPersist.add(() -> e.record().tell(new TaskRecord.Enqueued(id)));
    }

    private void drop(String taskId) {
      if (queued(taskId)) {
        events.add(new TaskDropped(taskId));
        removedHere.add(taskId);
      }
    }

    private void decide(TaskQueue.Entry task, String token, Outcome outcome) {
      String id = task.id();
      int failures = task.failures() + (outcome.status() == TaskStatus.FAILED ? 1 : 0);
      boolean retry = outcome.status() == TaskStatus.FAILED && outcome.retryable() && failures < task.maxAttempts();
      if (retry) {
        long notBefore = System.currentTimeMillis() + backoff(failures).toMillis();
        events.add(new AttemptFailed(id, failures, notBefore, outcome.error()));
        afterPersist.add(() -> records.attemptFailed(id, token, outcome.error(), failures));
      } else {
        Outcome last = outcome.asFinal(task.failures() + 1);
        events.add(new TaskFinished(id, last));
        removedHere.add(id);
        afterPersist.add(() -> deliver(id, last));
      }
    }
  }

  /** min × 2^(failures−1), at most max. */
  Duration backoff(int failures) {
    long millis = backoffMin.toMillis() << Math.min(20, failures - 1);
    return Duration.ofMillis(Math.min(millis, backoffMax.toMillis()));
  }

  private void deliver(String taskId, Outcome outcome) {
    lastDelivery.put(taskId, System.currentTimeMillis());
    records.recordOutcome(taskId, outcome, context.getSelf());
  }

  // --- workers and dispatch ---

  private Effect<Event, TaskQueue> onWorkerReady(TaskQueue queue, WorkerReady ready) {
    if (workers.ready(ready.worker(), ready.node(), ready.freeSlots())) {
      context.watchWith(ready.worker(), new WorkerGone(ready.worker()));
      context.getLog().info("Worker on {} registered with {} free slots", ready.node(), ready.freeSlots());
    }
    dispatch(queue);
    return Effect().none();
  }

  private Effect<Event, TaskQueue> onWorkerGone(TaskQueue queue, WorkerGone gone) {
    // Its node left or was downed: its attempts are dispatched again now, not at the next fail-over.
    String node = workers.gone(gone.worker());
    context.getLog().info("Worker on {} is gone; its attempts go to other workers", node == null ? "?" : node);
    dispatch(queue);
    return Effect().none();
  }

  private Effect<Event, TaskQueue> onAttemptRefused(TaskQueue queue, AttemptRefused refused) {
    workers.endIfCurrent(refused.taskId(), refused.token());
    return Effect().none();
  }

  private Effect<Event, TaskQueue> onTick(TaskQueue queue, Tick tick) {
    long now = System.currentTimeMillis();
    // An attempt whose worker neither answered nor died is treated as timed out.
    for (Map.Entry<String, WorkerRegistry.Running> late : workers.overdue(now, lostAttemptGrace.toMillis())) {
      buffer(queue, new AttemptResult(late.getKey(), late.getValue().token(),
          Outcome.failed("no result within the task's timeout (attempt lost)", true), null));
    }
    // Outcomes whose record has not confirmed them are sent again.
    queue.outbox().forEach((taskId, outcome) -> {
      Long last = lastDelivery.get(taskId);
      if (last == null || now - last > redeliverAfter.toMillis()) {
        deliver(taskId, outcome);
      }
    });
    dispatch(queue);
    return Effect().none();
  }

  /** Hands due tasks to workers with free slots, as {@link Placement} plans it. */
  private void dispatch(TaskQueue queue) {
    if (!epochStarted || workers.isEmpty()) {
      return;
    }
    int capacity = workers.freeSlots();
    if (capacity == 0) {
      return;
    }
    long now = System.currentTimeMillis();
    int window = placement.window(capacity);
    List<TaskQueue.Entry> due = new ArrayList<>();
    for (TaskQueue.Entry task : queue.inOrder()) {
      if (due.size() >= window) {
        break;
      }
      if (!workers.isRunning(task.id()) && task.notBefore() <= now) {
        due.add(task);
      }
    }
    for (Placement.Assignment<ActorRef<TaskWorker.Command>> next : placement.plan(due, workers.withFreeSlots())) {
      TaskQueue.Entry task = next.task();
      String token = queue.epoch() + "-" + (++dispatched);
      workers.started(task.id(), new WorkerRegistry.Running(token, next.worker(), now + task.timeoutMs()));
      next.worker().tell(new TaskWorker.Dispatch(task.id(), token, task.timeoutMs()));
    }
  }

  /** The node an actor lives on, as workers name theirs. */
  private String nodeOf(ActorRef<?> ref) {
    org.apache.pekko.actor.Address address = ref.path().address();
    return (address.hasLocalScope() ? context.getSystem().address() : address).toString();
  }

  // --- journal ---

  @Override
  public EventHandler<TaskQueue, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Changed.class, TaskQueue::apply).build();
  }

  @Override
  public SignalHandler<TaskQueue> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), queue -> context.getSelf().tell(StartEpoch.INSTANCE))
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Recovery reads one snapshot and a short tail, also with 100,000 queued tasks.
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2).withDeleteEventsOnSnapshot();
  }

  /** Snapshots are immutable copies taken on the actor's thread: the live queue is mutable. */
  @Override
  public SnapshotAdapter<TaskQueue> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(TaskQueue queue) {
        return queue.toSnapshot();
      }

      @Override
      public TaskQueue fromJournal(Object from) {
        return TaskQueue.fromSnapshot((TaskQueue.Snapshot) from);
      }
    };
  }
}
