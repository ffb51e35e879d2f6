package io.colony.tasks;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.typesafe.config.Config;
import io.colony.persistence.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The task scheduler: one per cluster (a ClusterSingleton), with an event-sourced queue so
 * that a kill -9 of its node loses nothing. Workers announce free slots and get at most that
 * many tasks (pull, no push overload); results come back tagged with the attempt's token
 * ({@code <epoch>-<n>}), and a token that is not the task's current attempt — a late result,
 * or one from an earlier incarnation of the scheduler — is ignored.
 *
 * <p>Changes are group-committed: writes that arrive while a batch is being persisted are
 * buffered and persisted together as one journal write, so throughput is not capped by one
 * commit per task. Workers, running attempts and free slots are runtime facts, not
 * persisted: after a fail-over every unfinished task is simply dispatched again.
 */
public final class TaskScheduler
    extends EventSourcedBehavior<TaskScheduler.Command, TaskScheduler.Event, SchedulerState> {

  public static final String PERSISTENCE_ID = "task-scheduler";

  // --- protocol ---

  public interface Command extends CborSerializable {}

  /** From a task record: put the task in the queue (idempotent). */
  public record Enqueue(TaskSpec spec, ActorRef<TaskRecord.Command> replyTo) implements Command {}

  /**
   * From a worker: its result for one attempt, with its free slots after it (so a result needs
   * no second message to refill the worker). {@code worker} is null for a result the scheduler
   * makes up itself (a lost attempt).
   */
  public record AttemptResult(String taskId, String token, Outcome outcome, WorkerReady worker) implements Command {}

  /** From a worker: the record refused the attempt (the task is finished or cancelled). */
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
    @JsonSubTypes.Type(value = TaskQueued.class, name = "queued"),
    @JsonSubTypes.Type(value = AttemptFailed.class, name = "attempt-failed"),
    @JsonSubTypes.Type(value = TaskFinished.class, name = "finished"),
    @JsonSubTypes.Type(value = TaskDropped.class, name = "dropped"),
    @JsonSubTypes.Type(value = OutcomeDelivered.class, name = "delivered")
  })
  public sealed interface Change extends CborSerializable
      permits EpochStarted, TaskQueued, AttemptFailed, TaskFinished, TaskDropped, OutcomeDelivered {}

  public record EpochStarted(long epoch) implements Change {}

  /** {@code home}: the node of the task's record (null in journals written before it existed). */
  public record TaskQueued(TaskSpec spec, String home) implements Change {}

  public record AttemptFailed(String taskId, int failures, long notBefore, String error) implements Change {}

  public record TaskFinished(String taskId, Outcome outcome) implements Change {}

  public record TaskDropped(String taskId) implements Change {}

  public record OutcomeDelivered(String taskId) implements Change {}

  // --- runtime (not persisted) ---

  private record Running(String token, ActorRef<TaskWorker.Command> worker, long deadlineMillis) {}

  private record WorkerInfo(String node, int freeSlots) {}

  private final ActorContext<Command> context;
  private final TaskRecords records;
  private final Duration backoffMin;
  private final Duration backoffMax;
  private final Duration lostAttemptGrace;
  private final Duration redeliverAfter;
  private final int snapshotEvery;

  private final Map<ActorRef<TaskWorker.Command>, WorkerInfo> workers = new HashMap<>();
  private final Map<String, Running> running = new HashMap<>();
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
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.getDuration("tick"));
  }

  /** {@code settings} is the {@code colony.tasks} section. */
  public static Behavior<Command> create(TaskRecords records, Config settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new TaskScheduler(context, timers, records, settings)));
  }

  @Override
  public SchedulerState emptyState() {
    return new SchedulerState();
  }

  @Override
  public CommandHandler<Command, Event, SchedulerState> commandHandler() {
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
        .onCommand(GetStatus.class, (state, get) -> Effect().reply(get.replyTo(),
            new Status(state.epoch(), state.queueLength(), running.size(), workers.size(), state.outbox().size())))
        .build();
  }

  private Effect<Event, SchedulerState> onAttemptResult(SchedulerState state, AttemptResult result) {
    buffer(state, result);
    if (result.worker() != null) {
      onWorkerReady(state, result.worker());
    }
    return Effect().none();
  }

  // --- group commit ---

  private Effect<Event, SchedulerState> buffer(SchedulerState state, Command write) {
    pendingWrites.add(write);
    if (!flushRequested) {
      flushRequested = true;
      context.getSelf().tell(Flush.INSTANCE);
    }
    return Effect().none();
  }

  /** Turns every buffered write into events and persists them as one batch. */
  private Effect<Event, SchedulerState> flush(SchedulerState state, Flush flush) {
    flushRequested = false;
    List<Command> writes = new ArrayList<>(pendingWrites);
    pendingWrites.clear();
    Batch batch = new Batch(state);
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

  /** Events of one flush, decided against the state plus the batch's own earlier events. */
  private final class Batch {
    final SchedulerState state;
    final List<Change> events = new ArrayList<>();
    final List<Runnable> afterPersist = new ArrayList<>();
    final Set<String> queuedHere = new HashSet<>();
    final Set<String> removedHere = new HashSet<>();
    final Set<String> deliveredHere = new HashSet<>();
    long epoch;

    Batch(SchedulerState state) {
      this.state = state;
      this.epoch = state.epoch();
    }

    boolean queued(String id) {
      return (state.isQueued(id) || queuedHere.contains(id)) && !removedHere.contains(id);
    }

    void add(Command write) {
      if (write instanceof Enqueue e) {
        String id = e.spec().id();
        if (!queued(id) && !state.awaitsDelivery(id)) {
          events.add(new TaskQueued(e.spec(), nodeOf(e.replyTo())));
          queuedHere.add(id);
        }
        afterPersist.add(() -> e.replyTo().tell(new TaskRecord.EnqueueAcknowledged(id)));
      } else if (write instanceof AttemptResult r) {
        Running current = running.get(r.taskId());
        if (current == null || !current.token().equals(r.token()) || !queued(r.taskId())) {
          context.getLog().debug("Ignoring result of stale attempt {} of task {}", r.token(), r.taskId());
          return;
        }
        running.remove(r.taskId());
        decide(state.queuedTask(r.taskId()), r.token(), r.outcome());
      } else if (write instanceof AttemptSkipped s) {
        Running current = running.get(s.taskId());
        if (current != null && current.token().equals(s.token())) {
          running.remove(s.taskId());
        }
        drop(s.taskId());
      } else if (write instanceof CancelTask c) {
        Running current = running.remove(c.taskId());
        if (current != null) {
          current.worker().tell(new TaskWorker.CancelAttempt(c.taskId(), current.token()));
        }
        drop(c.taskId());
      } else if (write instanceof OutcomeRecorded d) {
        if (state.awaitsDelivery(d.taskId()) && deliveredHere.add(d.taskId())) {
          events.add(new OutcomeDelivered(d.taskId()));
          afterPersist.add(() -> lastDelivery.remove(d.taskId()));
        }
      } else if (write instanceof StartEpoch) {
        epoch = epoch + 1;
        events.add(new EpochStarted(epoch));
        afterPersist.add(() -> {
          epochStarted = true;
          context.getLog().info("Task scheduler epoch {} started", epoch);
        });
      }
    }

    private void drop(String taskId) {
      if (queued(taskId)) {
        events.add(new TaskDropped(taskId));
        removedHere.add(taskId);
      }
    }

    private void decide(SchedulerState.QueuedTask task, String token, Outcome outcome) {
      String id = task.spec().id();
      int failures = task.failures() + (outcome.status() == TaskStatus.FAILED ? 1 : 0);
      boolean retry = outcome.status() == TaskStatus.FAILED && outcome.retryable() && failures < task.spec().maxAttempts();
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

  private Effect<Event, SchedulerState> onWorkerReady(SchedulerState state, WorkerReady ready) {
    if (!workers.containsKey(ready.worker())) {
      context.watchWith(ready.worker(), new WorkerGone(ready.worker()));
      context.getLog().info("Worker on {} registered with {} free slots", ready.node(), ready.freeSlots());
    }
    // Dispatches the worker has not seen yet may make this too high; it refuses what it cannot take.
    workers.put(ready.worker(), new WorkerInfo(ready.node(), Math.max(0, ready.freeSlots())));
    dispatch(state);
    return Effect().none();
  }

  private Effect<Event, SchedulerState> onWorkerGone(SchedulerState state, WorkerGone gone) {
    WorkerInfo info = workers.remove(gone.worker());
    // Its node left or was downed: its attempts are re-queued now, not at the next fail-over.
    int requeued = 0;
    for (Iterator<Running> it = running.values().iterator(); it.hasNext(); ) {
      if (it.next().worker().equals(gone.worker())) {
        it.remove();
        requeued++;
      }
    }
    context.getLog().info("Worker on {} is gone; {} attempts re-queued", info == null ? "?" : info.node(), requeued);
    dispatch(state);
    return Effect().none();
  }

  private Effect<Event, SchedulerState> onAttemptRefused(SchedulerState state, AttemptRefused refused) {
    Running current = running.get(refused.taskId());
    if (current != null && current.token().equals(refused.token())) {
      running.remove(refused.taskId());
    }
    return Effect().none();
  }

  private Effect<Event, SchedulerState> onTick(SchedulerState state, Tick tick) {
    long now = System.currentTimeMillis();
    // An attempt whose worker neither answered nor died is treated as timed out.
    for (Map.Entry<String, Running> entry : new ArrayList<>(running.entrySet())) {
      if (now > entry.getValue().deadlineMillis() + lostAttemptGrace.toMillis()) {
        buffer(state, new AttemptResult(entry.getKey(), entry.getValue().token(),
            Outcome.failed("no result within the task's timeout (attempt lost)", true), null));
      }
    }
    // Outcomes whose record has not confirmed them are sent again.
    state.outbox().forEach((taskId, outcome) -> {
      Long last = lastDelivery.get(taskId);
      if (last == null || now - last > redeliverAfter.toMillis()) {
        deliver(taskId, outcome);
      }
    });
    dispatch(state);
    return Effect().none();
  }

  /**
   * Hands queued tasks to workers with free slots, highest priority first. First every worker
   * takes the tasks whose record lives on its own node (its go-ahead is then a local message)
   * among the next {@link #HOME_LOOKAHEAD} due tasks of the head's priority; the rest go in queue
   * order to the emptiest workers. So FIFO holds within that window only.
   */
  private void dispatch(SchedulerState state) {
    if (!epochStarted || workers.isEmpty()) {
      return;
    }
    Map<ActorRef<TaskWorker.Command>, Integer> slots = new LinkedHashMap<>();
    Map<String, ActorRef<TaskWorker.Command>> onNode = new HashMap<>();
    workers.entrySet().stream()
        .filter(e -> e.getValue().freeSlots() > 0)
        .sorted((a, b) -> Integer.compare(b.getValue().freeSlots(), a.getValue().freeSlots()))
        .forEach(e -> {
          slots.put(e.getKey(), e.getValue().freeSlots());
          onNode.put(e.getValue().node(), e.getKey());
        });
    int capacity = slots.values().stream().mapToInt(Integer::intValue).sum();
    if (capacity == 0) {
      return;
    }
    long now = System.currentTimeMillis();
    List<SchedulerState.QueuedTask> due = new ArrayList<>();
    for (SchedulerState.QueuedTask task : state.inOrder()) {
      if (due.size() >= capacity + HOME_LOOKAHEAD) {
        break;
      }
      if (!running.containsKey(task.spec().id()) && task.notBefore() <= now) {
        due.add(task);
      }
    }
    Map<SchedulerState.QueuedTask, ActorRef<TaskWorker.Command>> plan = homePlan(due, onNode, slots);
    Iterator<ActorRef<TaskWorker.Command>> emptiest = slots.keySet().iterator();
    ActorRef<TaskWorker.Command> next = emptiest.hasNext() ? emptiest.next() : null;
    for (SchedulerState.QueuedTask task : due) {
      ActorRef<TaskWorker.Command> worker = plan.get(task);
      if (worker == null) {
        while (next != null && slots.get(next) == 0) {
          next = emptiest.hasNext() ? emptiest.next() : null;
        }
        if (next == null) {
          continue; // only home tasks further down may still be planned
        }
        worker = next;
        slots.merge(worker, -1, Integer::sum);
      }
      String token = state.epoch() + "-" + (++dispatched);
      running.put(task.spec().id(), new Running(token, worker, now + task.spec().timeoutMs()));
      worker.tell(new TaskWorker.Dispatch(task.spec(), token));
    }
    slots.forEach((worker, left) -> workers.computeIfPresent(worker, (w, info) -> new WorkerInfo(info.node(), left)));
  }

  static final int HOME_LOOKAHEAD = 32;

  /**
   * Which of the next due tasks (of the head's priority, within {@link #HOME_LOOKAHEAD}) go to the
   * free worker on their record's node; takes those slots out of {@code slots}.
   */
  static <W> Map<SchedulerState.QueuedTask, W> homePlan(List<SchedulerState.QueuedTask> due, Map<String, W> onNode,
      Map<W, Integer> slots) {
    Map<SchedulerState.QueuedTask, W> plan = new java.util.IdentityHashMap<>();
    for (int i = 0; i < due.size() && i < HOME_LOOKAHEAD; i++) {
      SchedulerState.QueuedTask task = due.get(i);
      if (task.spec().priority() != due.get(0).spec().priority()) {
        break;
      }
      W worker = task.home() == null ? null : onNode.get(task.home());
      if (worker != null && slots.getOrDefault(worker, 0) > 0) {
        plan.put(task, worker);
        slots.merge(worker, -1, Integer::sum);
      }
    }
    return plan;
  }

  /** The node an actor lives on, as workers name theirs. */
  private String nodeOf(ActorRef<?> ref) {
    org.apache.pekko.actor.Address address = ref.path().address();
    return (address.hasLocalScope() ? context.getSystem().address() : address).toString();
  }

  // --- journal ---

  @Override
  public EventHandler<SchedulerState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Changed.class, SchedulerState::apply).build();
  }

  @Override
  public SignalHandler<SchedulerState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> context.getSelf().tell(StartEpoch.INSTANCE))
        .build();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Recovery reads one snapshot and a short tail, also with thousands of queued tasks.
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2).withDeleteEventsOnSnapshot();
  }
}
