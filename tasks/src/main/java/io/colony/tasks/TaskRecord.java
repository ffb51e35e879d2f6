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
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.Recovery;

/**
 * The record of one task: its spec (input included), status, attempts and the one outcome that
 * counts. A sharded entity, so finished tasks live here and not in the scheduler's state.
 *
 * <p><b>What a 202 means.</b> A new task is first put in the scheduler's durable queue
 * ({@link TaskScheduler.Enqueue}, group-committed there), then journaled here
 * ({@link Submitted}), and only then does the client get its 202. So an accepted task is always
 * in the queue, which dispatches it until it has an outcome; nothing depends on this record
 * staying in memory (a crash, idle passivation and a full-cluster restart are all the same to
 * it). While the record waits for the queue, every other command to it is stashed: a worker
 * that asks to start the task then waits for the record instead of being told "no such task".
 * If the queue is full the task is refused (429) and nothing of it is stored; if the record dies
 * or gives up before it journaled {@link Submitted}, the client got no 202, and the queue drops
 * the task when the record answers its first attempt with {@link Abort} (no such task).
 *
 * <p>It is the authority on a task's fate: the first terminal outcome (or a cancellation)
 * wins and every later one is ignored; a worker asks it before each attempt (and gets the spec
 * with the go-ahead), and a cancelled or finished task is never started again.
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
      permits Submit, StartAttempt, RecordOutcome, AttemptFailed, Cancel, Get, Forget, Enqueued, EnqueueRefused,
      EnqueueTimedOut, JournalRunning, IdleWhileFinished {}

  /**
   * Accept a new task; for an existing id (Idempotency-Key), answers the existing task.
   * {@code deadlineMillis}: when the asker stops waiting (wall clock); a new task whose answer
   * could come only after it is not accepted, so that a timed-out ask almost never hides an
   * accepted task.
   */
  public record Submit(TaskSpec spec, ActorRef<SubmitReply> replyTo, long deadlineMillis) implements Command {

    /** Without a deadline (tests, tools that wait as long as it takes). */
    public Submit(TaskSpec spec, ActorRef<SubmitReply> replyTo) {
      this(spec, replyTo, Long.MAX_VALUE);
    }
  }

  /** A worker asks before it runs an attempt. */
  public record StartAttempt(String token, String node, ActorRef<StartReply> replyTo) implements Command {}

  /** The scheduler's final word on the task; {@code outcome.attempts()} is its count of attempts. */
  public record RecordOutcome(Outcome outcome, ActorRef<TaskScheduler.Command> replyTo) implements Command {}

  /** An attempt failed and the task waits for its retry; {@code attempts} is the scheduler's count so far. */
  public record AttemptFailed(String token, String error, int attempts) implements Command {}

  public record Cancel(ActorRef<TaskView> replyTo) implements Command {}

  public record Get(ActorRef<TaskView> replyTo) implements Command {}

  /** Retention: the task's journal rows are deleted; a finished record stops so it is not served from memory. */
  public record Forget() implements Command {}

  /** From the scheduler: the task is in its durable queue. */
  public record Enqueued(String taskId) implements Command {}

  /** From the scheduler: its queue holds {@code maxQueued} tasks already. */
  public record EnqueueRefused(String taskId, int maxQueued) implements Command {}

  /** Timer: the scheduler did not answer the submission in time. */
  record EnqueueTimedOut(String taskId) implements Command {}

  /** Timer: the attempt with this token has run for {@code journal-running-after}. */
  record JournalRunning(String token) implements Command {}

  /** Timer: a finished task was not asked about for {@code finished-record-idle}. */
  enum IdleWhileFinished implements Command {
    INSTANCE
  }

  /** The answer to {@link Submit}. */
  public sealed interface SubmitReply extends CborSerializable permits Accepted, QueueFull, NotQueued, KeyReused {}

  /** The task is accepted (or, for a repeated Idempotency-Key with the same body, was already). */
  public record Accepted(TaskView task) implements SubmitReply {}

  /** Refused, nothing stored: the queue is full. */
  public record QueueFull(int maxQueued) implements SubmitReply {}

  /** Not accepted, nothing stored: the scheduler did not answer in time (e.g. it is moving). */
  public record NotQueued(String reason) implements SubmitReply {}

  /** The Idempotency-Key names a task that was submitted with a different body. */
  public record KeyReused(TaskView existing) implements SubmitReply {}

  /** The answer to {@link StartAttempt}. */
  public sealed interface StartReply extends CborSerializable permits Go, Abort {}

  /** Run the attempt; it is the task's attempt number {@code attempt}. */
  public record Go(int attempt, TaskSpec spec) implements StartReply {}

  /** Do not run it: {@code status} is the task's (terminal) status, or null when there is no such task. */
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

  /** Kept free before a submission's deadline for journaling it and answering. */
  static final Duration ANSWER_MARGIN = Duration.ofMillis(500);

  /** A submission waiting for the scheduler's queue (in memory: without a 202 nothing is promised). */
  private record PendingSubmit(TaskSpec spec, ActorRef<SubmitReply> replyTo) {}

  // --- behaviour ---

  private final String taskId;
  private final ActorRef<TaskScheduler.Command> scheduler;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Duration enqueueTimeout;
  private final Duration journalRunningAfter;
  /** Null outside sharding (tests): then a finished record stays until it is stopped. */
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final Duration finishedIdle;
  private Running running;
  private PendingSubmit pending;

  private TaskRecord(String taskId, ActorRef<TaskScheduler.Command> scheduler, ActorContext<Command> context,
      TimerScheduler<Command> timers, Duration enqueueTimeout, Duration journalRunningAfter,
      ActorRef<ClusterSharding.ShardCommand> shard, Duration finishedIdle) {
    super(PersistenceId.of(ENTITY_KEY.name(), taskId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.taskId = taskId;
    this.scheduler = scheduler;
    this.context = context;
    this.timers = timers;
    this.enqueueTimeout = enqueueTimeout;
    this.journalRunningAfter = journalRunningAfter;
    this.shard = shard;
    this.finishedIdle = finishedIdle;
  }

  /** A record outside sharding (tests). */
  public static Behavior<Command> create(String taskId, ActorRef<TaskScheduler.Command> scheduler,
      Duration enqueueTimeout, Duration journalRunningAfter) {
    return create(taskId, scheduler, enqueueTimeout, journalRunningAfter, null, Duration.ZERO);
  }

  /**
   * A record in its shard: once its task has finished it leaves memory after {@code finishedIdle}
   * without a question (Pekko's idle timeout of 120 s would keep every task of the last two
   * minutes in memory: at 130 tasks/s, 45 MB per node).
   */
  public static Behavior<Command> create(String taskId, ActorRef<TaskScheduler.Command> scheduler,
      Duration enqueueTimeout, Duration journalRunningAfter, ActorRef<ClusterSharding.ShardCommand> shard,
      Duration finishedIdle) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> new TaskRecord(taskId, scheduler, context,
        timers, enqueueTimeout, journalRunningAfter, shard, finishedIdle)));
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Enqueued.class, this::onEnqueued)
        .onCommand(EnqueueRefused.class, this::onEnqueueRefused)
        .onCommand(EnqueueTimedOut.class, this::onEnqueueTimedOut)
        .onCommand(command -> pending != null, (state, command) -> Effect().stash())
        .onCommand(Submit.class, this::onSubmit)
        .onCommand(StartAttempt.class, this::onStartAttempt)
        .onCommand(RecordOutcome.class, this::onRecordOutcome)
        .onCommand(AttemptFailed.class, this::onAttemptFailed)
        .onCommand(Cancel.class, this::onCancel)
        .onCommand(Get.class, (state, get) -> {
          idleIfFinished(state);
          return Effect().reply(get.replyTo(), view(state));
        })
        .onCommand(Forget.class, this::onForget)
        .onCommand(IdleWhileFinished.class, this::onIdleWhileFinished)
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

  // --- submission: queue first, then journal, then 202 ---

  private Effect<Event, State> onSubmit(State state, Submit submit) {
    if (state.exists()) {
      return Effect().reply(submit.replyTo(), sameTask(state.spec(), submit.spec())
          ? new Accepted(view(state)) : new KeyReused(view(state)));
    }
    // Room for the Submitted write and the reply after the queue's answer.
    long left = submit.deadlineMillis() == Long.MAX_VALUE ? Long.MAX_VALUE
        : submit.deadlineMillis() - System.currentTimeMillis() - ANSWER_MARGIN.toMillis();
    if (left <= 0) {
      return Effect().reply(submit.replyTo(), new NotQueued("the submission reached its task record too late"));
    }
    pending = new PendingSubmit(submit.spec(), submit.replyTo());
    scheduler.tell(TaskScheduler.Enqueue.of(submit.spec(), context.getSelf()));
    timers.startSingleTimer(EnqueueTimedOut.class, new EnqueueTimedOut(taskId),
        left < enqueueTimeout.toMillis() ? Duration.ofMillis(left) : enqueueTimeout);
    return Effect().none();
  }

  /** Whether a repeated submission (same Idempotency-Key) asks for the same task. */
  static boolean sameTask(TaskSpec stored, TaskSpec again) {
    return stored.type().equals(again.type())
        && java.util.Objects.equals(stored.input(), again.input())
        && stored.timeoutMs() == again.timeoutMs()
        && stored.maxAttempts() == again.maxAttempts()
        && stored.priority() == again.priority();
  }

  private Effect<Event, State> onEnqueued(State state, Enqueued enqueued) {
    PendingSubmit submit = pending;
    if (submit == null || state.exists()) {
      return Effect().none(); // a late answer to a submission that gave up
    }
    pending = null;
    timers.cancel(EnqueueTimedOut.class);
    return Effect().persist(new Submitted(submit.spec()))
        .thenReply(submit.replyTo(), s -> new Accepted(view(s)))
        .thenUnstashAll();
  }

  private Effect<Event, State> onEnqueueRefused(State state, EnqueueRefused refused) {
    return giveUp(new QueueFull(refused.maxQueued()));
  }

  private Effect<Event, State> onEnqueueTimedOut(State state, EnqueueTimedOut timedOut) {
    return giveUp(new NotQueued("the task scheduler did not answer within " + enqueueTimeout.toMillis() + " ms"));
  }

  /** Nothing is stored: the client hears why, and commands stashed meanwhile see no task. */
  private Effect<Event, State> giveUp(SubmitReply reply) {
    PendingSubmit submit = pending;
    if (submit == null) {
      return Effect().none();
    }
    pending = null;
    timers.cancel(EnqueueTimedOut.class);
    return Effect().reply(submit.replyTo(), reply).thenUnstashAll();
  }

  // --- attempts ---

  /** Not a journal write (see the class comment): the go-ahead is immediate. */
  private Effect<Event, State> onStartAttempt(State state, StartAttempt start) {
    if (!state.exists() || state.isTerminal()) {
      return Effect().reply(start.replyTo(), new Abort(state.exists() ? state.status() : null));
    }
    int number = attempts(state, 0) + 1;
    running = new Running(start.token(), start.node(), System.currentTimeMillis(), number);
    timers.startSingleTimer(JournalRunning.class, new JournalRunning(start.token()), journalRunningAfter);
    return Effect().reply(start.replyTo(), new Go(number, state.spec()));
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
          attemptEnded();
          idleIfFinished(s);
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
          attemptEnded();
          idleIfFinished(s);
          scheduler.tell(new TaskScheduler.CancelTask(taskId));
        })
        .thenReply(cancel.replyTo(), this::view);
  }

  /** (Re)starts the countdown after which a finished record leaves memory. */
  private void idleIfFinished(State state) {
    if (shard != null && state.isTerminal()) {
      timers.startSingleTimer(IdleWhileFinished.INSTANCE, finishedIdle);
    }
  }

  private Effect<Event, State> onIdleWhileFinished(State state, IdleWhileFinished idle) {
    if (shard != null && state.isTerminal()) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
    return Effect().none();
  }

  /** Its rows are gone (retention): a finished record leaves memory, so the next read recovers nothing. */
  private Effect<Event, State> onForget(State state, Forget forget) {
    return state.isTerminal() || !state.exists() ? Effect().stop() : Effect().none();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
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
