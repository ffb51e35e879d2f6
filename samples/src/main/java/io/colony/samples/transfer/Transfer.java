package io.colony.samples.transfer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityCommandHandler;
import io.colony.persistence.sdk.EntityCommandHandlerBuilder;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.UnsupportedCommandException;
import io.colony.samples.account.Account;
import java.time.Duration;
import java.util.Locale;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A money transfer between two {@link Account}s as a saga that is itself an event-sourced
 * entity, one state type per step: {@link Withdrawing} from {@code from}, {@link Depositing} into
 * {@code to}, and if the deposit is refused, {@link Refunding} {@code from}; then
 * {@link Completed} or {@link Failed}. Every step is journaled before the next one starts, and
 * every account command carries an operation id derived from the transfer id, so a step repeated
 * after a timeout or a crash is applied once. After recovery (a node crash, a rebalance) a
 * pending transfer drives itself on: its type remembers entities, so sharding restarts it
 * without waiting for a client.
 *
 * <p>{@code {"type":"start","from":"a","to":"b","amount":10}} → {@code {"status":"PENDING",…}};
 * a repeated start with the same parameters answers with the current status. GET →
 * {@code {"id","status","from","to","amount","step","reason"}}, status PENDING, COMPLETED or
 * FAILED; 404 before the start.
 */
public final class Transfer extends ColonyEntity<Transfer.Command, Transfer.Event, Transfer.State> {

  public static final String TYPE = "transfer";

  // --- protocol ---

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes(@JsonSubTypes.Type(value = Start.class, name = "start"))
  public sealed interface Command extends CborSerializable permits Start, StepMessage, Passivate {}

  /** Moves {@code amount} (at least 1) from account {@code from} to account {@code to}. */
  public record Start(String from, String to, long amount) implements Command {}

  // The saga's messages to itself (not in @JsonSubTypes: clients cannot send them).

  /** About one step; ignored unless the transfer is at that step (a late answer, a stale retry). */
  sealed interface StepMessage extends Command permits StepSucceeded, StepRejected, StepFailed, Resume {
    Step step();
  }

  /** The account carried out {@code step}. */
  record StepSucceeded(Step step) implements StepMessage {}

  /** The account refused {@code step}. */
  record StepRejected(Step step, String reason) implements StepMessage {}

  /** No answer for {@code step} (timeout, node gone): try it again later. */
  record StepFailed(Step step, String error) implements StepMessage {}

  /** Time to try {@code step} again. */
  record Resume(Step step) implements StepMessage {}

  /** Done, or never started, and idle: let sharding stop this entity. */
  record Passivate() implements Command {}

  public enum Status { PENDING, COMPLETED, FAILED }

  /** The account command a pending transfer waits for. */
  public enum Step { WITHDRAW, DEPOSIT, REFUND }

  public sealed interface Event extends CborSerializable
      permits TransferStarted, MoneyWithdrawn, WithdrawalRejected, MoneyDeposited, DepositRejected, MoneyRefunded {}

  public record TransferStarted(String from, String to, long amount) implements Event {}

  public record MoneyWithdrawn() implements Event {}

  public record WithdrawalRejected(String reason) implements Event {}

  public record MoneyDeposited() implements Event {}

  public record DepositRejected(String reason) implements Event {}

  public record MoneyRefunded() implements Event {}

  /** What is moved, from where to where. */
  public record Terms(String from, String to, long amount) implements CborSerializable {}

  /** The saga in one of its steps. */
  public sealed interface State extends CborSerializable permits NotStarted, Started {}

  /** No start yet: GET answers 404. */
  public record NotStarted() implements State {}

  /** Started: it has terms, and a status. */
  public sealed interface Started extends State permits Pending, Finished {
    Terms terms();
  }

  /** Waiting for the account's answer to {@link #step()}. */
  public sealed interface Pending extends Started permits Withdrawing, Depositing, Refunding {
    Step step();
  }

  /** Nothing left to do. */
  public sealed interface Finished extends Started permits Completed, Failed {}

  public record Withdrawing(Terms terms) implements Pending {
    @Override
    public Step step() {
      return Step.WITHDRAW;
    }
  }

  public record Depositing(Terms terms) implements Pending {
    @Override
    public Step step() {
      return Step.DEPOSIT;
    }
  }

  /** The deposit was refused ({@code reason}): the money goes back to {@code from}. */
  public record Refunding(Terms terms, String reason) implements Pending {
    @Override
    public Step step() {
      return Step.REFUND;
    }
  }

  public record Completed(Terms terms) implements Finished {}

  public record Failed(Terms terms, String reason) implements Finished {}

  /** Replies and the GET view. */
  public record View(String id, Status status, String from, String to, long amount, Step step, String reason)
      implements CborSerializable {}

  // --- behaviour ---

  private final Duration retryMin;
  private final Duration retryMax;
  private final Duration passivateAfter;
  /** Failed attempts of the current step, for the backoff; not journaled. */
  private int failedAttempts;

  public Transfer(EntityContext<Command> context) {
    super(context);
    this.retryMin = context.settings().getDuration("retry-backoff.min");
    this.retryMax = context.settings().getDuration("retry-backoff.max");
    this.passivateAfter = context.settings().getDuration("passivate-after");
  }

  @Override
  public State emptyState() {
    return new NotStarted();
  }

  @Override
  protected CborSerializable view(State state) {
    return state instanceof Started started ? viewOf(started) : null;
  }

  private View viewOf(Started state) {
    Terms terms = state.terms();
    Status status = state instanceof Completed ? Status.COMPLETED : state instanceof Failed ? Status.FAILED : Status.PENDING;
    Step step = state instanceof Pending pending ? pending.step() : null;
    String reason = state instanceof Failed failed ? failed.reason() : state instanceof Refunding r ? r.reason() : null;
    return new View(context().entityId(), status, terms.from(), terms.to(), terms.amount(), step, reason);
  }

  @Override
  protected EntityCommandHandler<Command, Event, State> entityCommandHandler() {
    EntityCommandHandlerBuilder<Command, Event, State> builder = newEntityCommandHandlerBuilder();
    builder.forStateType(NotStarted.class)
        .onCommand(Start.class, this::start)
        .onCommand(Passivate.class, this::passivate);
    builder.forStateType(Started.class).onCommand(Start.class, this::startAgain);
    builder.forStateType(Withdrawing.class)
        .onCommand(StepSucceeded.class, (state, answer, replyTo) -> stepDone(state, answer, new MoneyWithdrawn()))
        .onCommand(StepRejected.class, (state, answer, replyTo) -> stepDone(state, answer, new WithdrawalRejected(answer.reason())));
    builder.forStateType(Depositing.class)
        .onCommand(StepSucceeded.class, (state, answer, replyTo) -> stepDone(state, answer, new MoneyDeposited()))
        .onCommand(StepRejected.class, (state, answer, replyTo) -> stepDone(state, answer, new DepositRejected(answer.reason())));
    builder.forStateType(Refunding.class)
        .onCommand(StepSucceeded.class, (state, answer, replyTo) -> stepDone(state, answer, new MoneyRefunded()))
        .onCommand(StepRejected.class, this::refundRefused);
    builder.forStateType(Pending.class)
        .onCommand(StepFailed.class, this::stepFailed)
        .onCommand(Resume.class, this::resume)
        // Scheduled before a start that came soon after recovery: the transfer is busy now.
        .onCommand(Passivate.class, (state, passivate, replyTo) -> Effect().noReply());
    builder.forStateType(Finished.class)
        // Late answers and retries of a step that is over.
        .onCommand(StepMessage.class, (state, late, replyTo) -> Effect().noReply())
        .onCommand(Passivate.class, this::passivate);
    return builder.build();
  }

  private ReplyEffect<Event, State> start(NotStarted state, Start start, ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (start.from() == null || start.from().isBlank() || start.to() == null || start.to().isBlank()) {
      return Effect().reply(replyTo, StatusReply.error("from and to must name accounts"));
    }
    if (start.from().equals(start.to())) {
      return Effect().reply(replyTo, StatusReply.error("from and to must be different accounts"));
    }
    if (start.amount() < 1) {
      return Effect().reply(replyTo, StatusReply.error("amount must be at least 1, not " + start.amount()));
    }
    return Effect().persist(new TransferStarted(start.from(), start.to(), start.amount()))
        .thenRun(this::next)
        .thenReply(replyTo, started -> StatusReply.success(viewOf((Started) started)));
  }

  /** A repeated start: the current status if it is the same transfer. */
  private ReplyEffect<Event, State> startAgain(Started state, Start start, ActorRef<StatusReply<CborSerializable>> replyTo) {
    return state.terms().equals(new Terms(start.from(), start.to(), start.amount()))
        ? Effect().reply(replyTo, StatusReply.success(viewOf(state)))
        : Effect().reply(replyTo, StatusReply.error(
            "transfer '" + context().entityId() + "' was already started with other parameters"));
  }

  /** The account answered the step the transfer waits for: journal it, then go on. */
  private ReplyEffect<Event, State> stepDone(Pending state, StepMessage answer, Event event) {
    if (answer.step() != state.step()) {
      return Effect().noReply();
    }
    return Effect().persist(event).thenRun(this::next).thenNoReply();
  }

  private ReplyEffect<Event, State> refundRefused(Refunding state, StepRejected rejected,
      ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (rejected.step() == state.step()) {
      // An account never refuses a positive deposit into an account that was open; should it
      // happen anyway, the money stays owed and the refund is retried rather than forgotten.
      context().log().error("Refund of transfer {} refused by account {}: {}; retrying",
          context().entityId(), state.terms().from(), rejected.reason());
      retryLater(state.step());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> stepFailed(Pending state, StepFailed failed, ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (failed.step() == state.step()) {
      context().log().warn("Transfer {}: no answer for {} ({}); retrying", context().entityId(), failed.step(),
          failed.error());
      retryLater(failed.step());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> resume(Pending state, Resume resume, ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (resume.step() == state.step()) {
      drive(state);
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> passivate(State state, Passivate passivate, ActorRef<StatusReply<CborSerializable>> replyTo) {
    context().passivate();
    return Effect().noReply();
  }

  /** After a step's event is journaled: the next account command, or rest. */
  private void next(State state) {
    failedAttempts = 0;
    if (state instanceof Pending pending) {
      drive(pending);
    } else {
      context().scheduleOnce(passivateAfter, new Passivate());
    }
  }

  /** Sends the account command the pending step needs; its answer comes back as a command. */
  private void drive(Pending state) {
    Step step = state.step();
    Terms terms = state.terms();
    String operationId = TYPE + "/" + context().entityId() + "/" + step.name().toLowerCase(Locale.ROOT);
    Account.Command command = step == Step.WITHDRAW
        ? new Account.Withdraw(terms.amount(), operationId)
        : new Account.Deposit(terms.amount(), operationId);
    String account = step == Step.DEPOSIT ? terms.to() : terms.from();
    context().pipeToSelf(context().ask(Account.TYPE, account, command), (reply, failure) -> answerOf(step, failure));
  }

  /** A refusal, or a command the account does not handle, is a definite "no"; anything else may be retried. */
  private static StepMessage answerOf(Step step, Throwable failure) {
    if (failure == null) {
      return new StepSucceeded(step);
    }
    if (failure instanceof StatusReply.ErrorMessage || failure instanceof UnsupportedCommandException) {
      return new StepRejected(step, failure.getMessage());
    }
    return new StepFailed(step, failure.toString());
  }

  private void retryLater(Step step) {
    failedAttempts++;
    long factor = 1L << Math.min(failedAttempts - 1, 20);
    Duration delay = retryMin.multipliedBy(factor);
    context().scheduleOnce(delay.compareTo(retryMax) > 0 ? retryMax : delay, new Resume(step));
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::onRecovered).build();
  }

  /** A crash may have struck between two steps: a pending transfer goes on from its journaled step. */
  private void onRecovered(State state) {
    if (state instanceof Pending pending) {
      context().log().info("Transfer {} resumes at {}", context().entityId(), pending.step());
      drive(pending);
    } else {
      context().scheduleOnce(passivateAfter, new Passivate());
    }
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    EventHandlerBuilder<State, Event> builder = newEventHandlerBuilder();
    builder.forStateType(NotStarted.class).onEvent(TransferStarted.class, (state, started) ->
        new Withdrawing(new Terms(started.from(), started.to(), started.amount())));
    builder.forStateType(Withdrawing.class)
        .onEvent(MoneyWithdrawn.class, (state, withdrawn) -> new Depositing(state.terms()))
        .onEvent(WithdrawalRejected.class, (state, rejected) -> new Failed(state.terms(), "withdrawal refused: " + rejected.reason()));
    builder.forStateType(Depositing.class)
        .onEvent(MoneyDeposited.class, (state, deposited) -> new Completed(state.terms()))
        .onEvent(DepositRejected.class, (state, rejected) -> new Refunding(state.terms(), "deposit refused: " + rejected.reason()));
    builder.forStateType(Refunding.class)
        .onEvent(MoneyRefunded.class, (state, refunded) -> new Failed(state.terms(), state.reason() + "; refunded"));
    return builder.build();
  }
}
