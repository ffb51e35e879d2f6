package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.persistence.CborSerializable;
import java.time.Duration;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The record of one task: its spec, status, attempts and the one outcome that counts. A
 * sharded entity, so finished tasks live here and not in the scheduler's state.
 *
 * <p>It is the authority on a task's fate: the first terminal outcome (or a cancellation)
 * wins and every later one is ignored; a worker asks it before each attempt, and a cancelled
 * or finished task is never started again. Until the scheduler has acknowledged the task,
 * it keeps offering it (also after a crash of its node).
 *
 * <p>Starting an attempt is not a journal write: most attempts are short, and their start is
 * journaled together with how they ended (attempts, node, startedAt in the same event). An
 * attempt still running after {@code journal-running-after} is journaled on its own, so the
 * listing shows it as RUNNING. Until then RUNNING is known to this entity only; after a crash
 * of its node the record shows PENDING until the attempt's outcome arrives.
 */
public final class TaskRecord extends EventSourcedBehavior<TaskRecord.Command, TaskRecord.Event, TaskRecord.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "task");
  /** Every event carries this tag; the task listing follows it. */
  public static final String TAG = "task";

  // --- protocol ---

  public sealed interface Command extends CborSerializable
      permits Submit, StartAttempt, RecordOutcome, AttemptFailed, Cancel, Get, EnqueueAcknowledged, OfferAgain,
      JournalRunning {}

  /** Accept a new task; for an existing id (Idempotency-Key), answers the existing task. */
  public record Submit(TaskSpec spec, ActorRef<TaskView> replyTo) implements Command {}

  /** A worker asks before it runs an attempt. */
  public record StartAttempt(String token, String node, ActorRef<StartReply> replyTo) implements Command {}

  /** The scheduler's final word on the task; {@code outcome.attempts()} is its count of attempts. */
  public record RecordOutcome(Outcome outcome, ActorRef<TaskScheduler.Command> replyTo) implements Command {}

  /** An attempt failed and the task waits for its retry; {@code attempts} is the scheduler's count so far. */
  public record AttemptFailed(String token, String error, int attempts) implements Command {}

  public record Cancel(ActorRef<TaskView> replyTo) implements Command {}

  public record Get(ActorRef<TaskView> replyTo) implements Command {}

  /** The scheduler has the task in its durable queue. */
  public record EnqueueAcknowledged(String taskId) implements Command {}

  enum OfferAgain implements Command {
    INSTANCE
  }

  /** Timer: the attempt with this token has run for {@code journal-running-after}. */
  record JournalRunning(String token) implements Command {}

  /** The answer to {@link StartAttempt}. */
  public sealed interface StartReply extends CborSerializable permits Go, Abort {}

  public record Go(int attempt) implements StartReply {}

  public record Abort(TaskStatus status) implements StartReply {}

  // --- events ---

  public sealed interface Event extends CborSerializable
      permits Submitted, AttemptStarted, RetryScheduled, Finished, Cancelled {}

  public record Submitted(TaskSpec spec) implements Event {}

  /** A long-running attempt. {@code number} is null in journals written before it existed (count one more). */
  public record AttemptStarted(String token, String node, long at, Integer number) implements Event {}

  /**
   * An attempt failed. {@code attempts}, {@code node}, {@code startedAt} (of the first attempt) and
   * the failed attempt's {@code token} are what the record knew then; null in journals written
   * before they existed.
   */
  public record RetryScheduled(String error, Integer attempts, String node, Long startedAt, String token)
      implements Event {}

  /** The task's outcome, with the attempt facts as in {@link RetryScheduled}. */
  public record Finished(Outcome outcome, long at, Integer attempts, String node, Long startedAt) implements Event {}

  public record Cancelled(long at) implements Event {}

  // --- state ---

  /** Immutable; {@code spec == null} until the task is submitted. */
  public record State(TaskSpec spec, TaskStatus status, int attempts, String token, String node, JsonNode result,
      String error, Long startedAt, Long finishedAt) implements CborSerializable {

    static final State EMPTY = new State(null, null, 0, null, null, null, null, null, null);

    boolean exists() {
      return spec != null;
    }

    boolean isTerminal() {
      return status != null && status.isTerminal();
    }

    TaskView view() {
      return new TaskView(spec.id(), spec.type(), status, attempts, node, result, error,
          spec.submittedAt(), startedAt, finishedAt, spec.priority());
    }

    State apply(Event event) {
      if (event instanceof Submitted s) {
        return new State(s.spec(), TaskStatus.PENDING, 0, null, null, null, null, null, null);
      }
      if (event instanceof AttemptStarted a) {
        int number = a.number() == null ? attempts + 1 : Math.max(attempts, a.number());
        return new State(spec, TaskStatus.RUNNING, number, a.token(), a.node(), null, error,
            startedAt == null ? a.at() : startedAt, null);
      }
      if (event instanceof RetryScheduled r) {
        return new State(spec, TaskStatus.PENDING, atLeast(r.attempts()), r.token() == null ? token : r.token(),
            orNode(r.node()), null, r.error(),
            startedAt == null ? r.startedAt() : startedAt, null);
      }
      if (event instanceof Finished f) {
        return new State(spec, f.outcome().status(), atLeast(f.attempts()), token, orNode(f.node()),
            f.outcome().result(), f.outcome().error(), startedAt == null ? f.startedAt() : startedAt, f.at());
      }
      if (event instanceof Cancelled c) {
        return new State(spec, TaskStatus.CANCELLED, attempts, token, node, null, error, startedAt, c.at());
      }
      throw new IllegalArgumentException("Unknown event " + event);
    }

    private int atLeast(Integer count) {
      return count == null ? attempts : Math.max(attempts, count);
    }

    private String orNode(String other) {
      return other == null ? node : other;
    }
  }

  /** The attempt running now, known in memory only until it ends or is journaled. */
  private record Running(String token, String node, long at, int number) {}

  // --- behaviour ---

  private final String taskId;
  private final ActorRef<TaskScheduler.Command> scheduler;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Duration offerInterval;
  private final Duration journalRunningAfter;
  private Running running;

  private TaskRecord(String taskId, ActorRef<TaskScheduler.Command> scheduler, ActorContext<Command> context,
      TimerScheduler<Command> timers, Duration offerInterval, Duration journalRunningAfter) {
    super(PersistenceId.of(ENTITY_KEY.name(), taskId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.taskId = taskId;
    this.scheduler = scheduler;
    this.context = context;
    this.timers = timers;
    this.offerInterval = offerInterval;
    this.journalRunningAfter = journalRunningAfter;
  }

  public static Behavior<Command> create(String taskId, ActorRef<TaskScheduler.Command> scheduler,
      Duration offerInterval, Duration journalRunningAfter) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new TaskRecord(taskId, scheduler, context, timers, offerInterval, journalRunningAfter)));
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Submit.class, this::onSubmit)
        .onCommand(StartAttempt.class, this::onStartAttempt)
        .onCommand(RecordOutcome.class, this::onRecordOutcome)
        .onCommand(AttemptFailed.class, this::onAttemptFailed)
        .onCommand(Cancel.class, this::onCancel)
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), view(state)))
        .onCommand(EnqueueAcknowledged.class, this::onEnqueueAcknowledged)
        .onCommand(OfferAgain.class, this::onOfferAgain)
        .onCommand(JournalRunning.class, this::onJournalRunning)
        .build();
  }

  /** The journaled state, with the attempt running now (known in memory) laid over it. */
  private TaskView view(State state) {
    if (!state.exists()) {
      return TaskView.absent(taskId);
    }
    TaskView view = state.view();
    if (running == null || state.isTerminal()) {
      return view;
    }
    return new TaskView(view.id(), view.type(), TaskStatus.RUNNING, Math.max(view.attempts(), running.number()),
        running.node(), null, view.error(), view.submittedAt(),
        view.startedAt() == null ? Long.valueOf(running.at()) : view.startedAt(), null, view.priority());
  }

  /** Attempts so far: the journaled count, the one running now, and the scheduler's count. */
  private int attempts(State state, int schedulerCount) {
    return Math.max(Math.max(state.attempts(), running == null ? 0 : running.number()), schedulerCount);
  }

  private Effect<Event, State> onSubmit(State state, Submit submit) {
    if (state.exists()) {
      return Effect().reply(submit.replyTo(), view(state));
    }
    return Effect().persist(new Submitted(submit.spec())).thenRun(this::offer).thenReply(submit.replyTo(), State::view);
  }

  /** Not a journal write (see the class comment): the go-ahead is immediate. */
  private Effect<Event, State> onStartAttempt(State state, StartAttempt start) {
    if (!state.exists() || state.isTerminal()) {
      return Effect().reply(start.replyTo(), new Abort(state.exists() ? state.status() : null));
    }
    int number = attempts(state, 0) + 1;
    running = new Running(start.token(), start.node(), System.currentTimeMillis(), number);
    timers.startSingleTimer(JournalRunning.class, new JournalRunning(start.token()), journalRunningAfter);
    return Effect().reply(start.replyTo(), new Go(number));
  }

  private Effect<Event, State> onJournalRunning(State state, JournalRunning journal) {
    Running now = running;
    if (now == null || !now.token().equals(journal.token()) || state.isTerminal()) {
      return Effect().none();
    }
    return Effect().persist(new AttemptStarted(now.token(), now.node(), now.at(), now.number()));
  }

  private Effect<Event, State> onRecordOutcome(State state, RecordOutcome record) {
    TaskScheduler.OutcomeRecorded ack = new TaskScheduler.OutcomeRecorded(taskId);
    if (!state.exists() || state.isTerminal()) {
      // Exactly one outcome counts: a later one (a stale attempt, a re-sent message) changes nothing.
      return Effect().reply(record.replyTo(), ack);
    }
    Outcome outcome = record.outcome();
    Finished finished = new Finished(outcome, System.currentTimeMillis(),
        attempts(state, outcome.attempts() == null ? 0 : outcome.attempts()), node(state), startedAt(state));
    return Effect().persist(finished)
        .thenRun(s -> {
          timers.cancel(OfferAgain.INSTANCE);
          attemptEnded();
        })
        .thenReply(record.replyTo(), s -> ack);
  }

  private Effect<Event, State> onAttemptFailed(State state, AttemptFailed failed) {
    if (!state.exists() || state.isTerminal()) {
      return Effect().none();
    }
    boolean aboutAnother = running != null ? !running.token().equals(failed.token())
        : failed.token().equals(state.token()) && state.status() == TaskStatus.PENDING;
    if (aboutAnother) {
      return Effect().none(); // a newer attempt runs already, or this failure is recorded already
    }
    RetryScheduled retry = new RetryScheduled(failed.error(), attempts(state, failed.attempts()), node(state),
        startedAt(state), failed.token());
    return Effect().persist(retry).thenRun(s -> attemptEnded());
  }

  private String node(State state) {
    return running == null ? state.node() : running.node();
  }

  private Long startedAt(State state) {
    return state.startedAt() != null || running == null ? state.startedAt() : Long.valueOf(running.at());
  }

  private void attemptEnded() {
    running = null;
    timers.cancel(JournalRunning.class);
  }

  private Effect<Event, State> onCancel(State state, Cancel cancel) {
    if (!state.exists() || state.isTerminal()) {
      return Effect().reply(cancel.replyTo(), state.exists() ? state.view() : TaskView.absent(taskId));
    }
    return Effect().persist(new Cancelled(System.currentTimeMillis()))
        .thenRun(s -> {
          timers.cancel(OfferAgain.INSTANCE);
          attemptEnded();
          scheduler.tell(new TaskScheduler.CancelTask(taskId));
        })
        .thenReply(cancel.replyTo(), this::view);
  }

  /**
   * Not persisted: after a restart the record simply offers its unfinished task again, and the
   * scheduler acknowledges a task it already has without queueing it twice. One journal write
   * less per task.
   */
  private Effect<Event, State> onEnqueueAcknowledged(State state, EnqueueAcknowledged ack) {
    timers.cancel(OfferAgain.INSTANCE);
    return Effect().none();
  }

  private Effect<Event, State> onOfferAgain(State state, OfferAgain again) {
    offer(state);
    return Effect().none();
  }

  /** Offers the task to the scheduler until it acknowledges; survives a crash through recovery. */
  private void offer(State state) {
    if (state.exists() && !state.isTerminal()) {
      scheduler.tell(new TaskScheduler.Enqueue(state.spec(), context.getSelf()));
      timers.startSingleTimer(OfferAgain.INSTANCE, offerInterval);
    }
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::offer).build();
  }

  /**
   * No snapshots: a record has a few events (at most two per attempt, 20 attempts at most), so
   * a snapshot would never pay, while looking for one costs every new task a query.
   */
  @Override
  public Recovery recovery() {
    return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }
}
