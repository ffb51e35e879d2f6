package io.colony.runtime.tasks;

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
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The record of one task: its spec, status, attempts and the one outcome that counts. A
 * sharded entity, so finished tasks live here and not in the scheduler's state.
 *
 * <p>It is the authority on a task's fate: the first terminal outcome (or a cancellation)
 * wins and every later one is ignored; a worker asks it before each attempt, and a cancelled
 * or finished task is never started again. Until the scheduler has acknowledged the task,
 * it keeps offering it (also after a crash of its node).
 */
public final class TaskRecord extends EventSourcedBehavior<TaskRecord.Command, TaskRecord.Event, TaskRecord.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "task");
  /** Every event carries this tag; the task listing follows it. */
  public static final String TAG = "task";

  // --- protocol ---

  public sealed interface Command extends CborSerializable
      permits Submit, StartAttempt, RecordOutcome, AttemptFailed, Cancel, Get, EnqueueAcknowledged, OfferAgain {}

  /** Accept a new task; for an existing id (Idempotency-Key), answers the existing task. */
  public record Submit(TaskSpec spec, ActorRef<TaskView> replyTo) implements Command {}

  /** A worker asks before it runs an attempt. */
  public record StartAttempt(String token, String node, ActorRef<StartReply> replyTo) implements Command {}

  /** The scheduler's final word on the task. */
  public record RecordOutcome(Outcome outcome, ActorRef<TaskScheduler.Command> replyTo) implements Command {}

  /** An attempt failed and the task waits for its retry. */
  public record AttemptFailed(String token, String error) implements Command {}

  public record Cancel(ActorRef<TaskView> replyTo) implements Command {}

  public record Get(ActorRef<TaskView> replyTo) implements Command {}

  /** The scheduler has the task in its durable queue. */
  public record EnqueueAcknowledged(String taskId) implements Command {}

  enum OfferAgain implements Command {
    INSTANCE
  }

  /** The answer to {@link StartAttempt}. */
  public sealed interface StartReply extends CborSerializable permits Go, Abort {}

  public record Go(int attempt) implements StartReply {}

  public record Abort(TaskStatus status) implements StartReply {}

  // --- events ---

  public sealed interface Event extends CborSerializable
      permits Submitted, AttemptStarted, RetryScheduled, Finished, Cancelled {}

  public record Submitted(TaskSpec spec) implements Event {}

  public record AttemptStarted(String token, String node, long at) implements Event {}

  public record RetryScheduled(String error) implements Event {}

  public record Finished(Outcome outcome, long at) implements Event {}

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
        return new State(spec, TaskStatus.RUNNING, attempts + 1, a.token(), a.node(), null, error,
            startedAt == null ? a.at() : startedAt, null);
      }
      if (event instanceof RetryScheduled r) {
        return new State(spec, TaskStatus.PENDING, attempts, token, node, null, r.error(), startedAt, null);
      }
      if (event instanceof Finished f) {
        return new State(spec, f.outcome().status(), attempts, token, node, f.outcome().result(),
            f.outcome().error(), startedAt, f.at());
      }
      if (event instanceof Cancelled c) {
        return new State(spec, TaskStatus.CANCELLED, attempts, token, node, null, error, startedAt, c.at());
      }
      throw new IllegalArgumentException("Unknown event " + event);
    }
  }

  // --- behaviour ---

  private final String taskId;
  private final ActorRef<TaskScheduler.Command> scheduler;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Duration offerInterval;

  private TaskRecord(String taskId, ActorRef<TaskScheduler.Command> scheduler, ActorContext<Command> context,
      TimerScheduler<Command> timers, Duration offerInterval) {
    super(PersistenceId.of(ENTITY_KEY.name(), taskId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.taskId = taskId;
    this.scheduler = scheduler;
    this.context = context;
    this.timers = timers;
    this.offerInterval = offerInterval;
  }

  public static Behavior<Command> create(String taskId, ActorRef<TaskScheduler.Command> scheduler, Duration offerInterval) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new TaskRecord(taskId, scheduler, context, timers, offerInterval)));
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
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state.exists() ? state.view() : TaskView.absent(taskId)))
        .onCommand(EnqueueAcknowledged.class, this::onEnqueueAcknowledged)
        .onCommand(OfferAgain.class, this::onOfferAgain)
        .build();
  }

  private Effect<Event, State> onSubmit(State state, Submit submit) {
    if (state.exists()) {
      return Effect().reply(submit.replyTo(), state.view());
    }
    return Effect().persist(new Submitted(submit.spec())).thenRun(this::offer).thenReply(submit.replyTo(), State::view);
  }

  private Effect<Event, State> onStartAttempt(State state, StartAttempt start) {
    if (!state.exists() || state.isTerminal()) {
      return Effect().reply(start.replyTo(), new Abort(state.exists() ? state.status() : null));
    }
    return Effect()
        .persist(new AttemptStarted(start.token(), start.node(), System.currentTimeMillis()))
        .thenReply(start.replyTo(), started -> new Go(started.attempts()));
  }

  private Effect<Event, State> onRecordOutcome(State state, RecordOutcome record) {
    TaskScheduler.OutcomeRecorded ack = new TaskScheduler.OutcomeRecorded(taskId);
    if (!state.exists() || state.isTerminal()) {
      // Exactly one outcome counts: a later one (a stale attempt, a re-sent message) changes nothing.
      return Effect().reply(record.replyTo(), ack);
    }
    return Effect().persist(new Finished(record.outcome(), System.currentTimeMillis()))
        .thenRun(s -> timers.cancel(OfferAgain.INSTANCE))
        .thenReply(record.replyTo(), s -> ack);
  }

  private Effect<Event, State> onAttemptFailed(State state, AttemptFailed failed) {
    if (!state.exists() || state.isTerminal() || !failed.token().equals(state.token())) {
      return Effect().none();
    }
    return Effect().persist(new RetryScheduled(failed.error()));
  }

  private Effect<Event, State> onCancel(State state, Cancel cancel) {
    if (!state.exists() || state.isTerminal()) {
      return Effect().reply(cancel.replyTo(), state.exists() ? state.view() : TaskView.absent(taskId));
    }
    return Effect().persist(new Cancelled(System.currentTimeMillis()))
        .thenRun(s -> {
          timers.cancel(OfferAgain.INSTANCE);
          scheduler.tell(new TaskScheduler.CancelTask(taskId));
        })
        .thenReply(cancel.replyTo(), State::view);
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

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(50, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }
}
