package io.colony.samples.transfer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityReply;
import io.colony.samples.account.Account;
import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * A money transfer between two {@link Account}s as a saga that is itself an event-sourced
 * entity: withdraw from {@code from}, deposit into {@code to}; if the deposit is refused,
 * refund {@code from}. Every step is journaled before the next one starts, and every account
 * command carries an operation id derived from the transfer id, so a step repeated after a
 * timeout or a crash is applied once. After recovery (a node crash, a rebalance) a pending
 * transfer drives itself on: its type remembers entities, so sharding restarts it without
 * waiting for a client.
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
  public sealed interface Command extends CborSerializable
      permits Start, StepSucceeded, StepRejected, StepFailed, Resume, Passivate {}

  /** Moves {@code amount} (at least 1) from account {@code from} to account {@code to}. */
  public record Start(String from, String to, long amount) implements Command {}

  // The saga's messages to itself (not in @JsonSubTypes: clients cannot send them).

  /** The account carried out {@code step}. */
  record StepSucceeded(Step step) implements Command {}

  /** The account refused {@code step}. */
  record StepRejected(Step step, String reason) implements Command {}

  /** No answer for {@code step} (timeout, node gone): try it again later. */
  record StepFailed(Step step, String error) implements Command {}

  /** Time to try {@code step} again. */
  record Resume(Step step) implements Command {}

  /** Done, or never started, and idle: let sharding stop this entity. */
  record Passivate() implements Command {}

  public enum Status { NEW, PENDING, COMPLETED, FAILED }

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

  /** The saga's state; {@code step} is set only while PENDING, {@code reason} only when FAILED. */
  public record State(Status status, String from, String to, long amount, Step step, String reason)
      implements CborSerializable {

    static final State NEW = new State(Status.NEW, null, null, 0, null, null);

    boolean waitsFor(Step expected) {
      return status == Status.PENDING && step == expected;
    }

    State pending(Step next) {
      return new State(Status.PENDING, from, to, amount, next, reason);
    }

    State completed() {
      return new State(Status.COMPLETED, from, to, amount, null, null);
    }

    State failed(String why) {
      return new State(Status.FAILED, from, to, amount, null, why);
    }

    State refunding(String why) {
      return new State(Status.PENDING, from, to, amount, Step.REFUND, why);
    }
  }

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
    return State.NEW;
  }

  @Override
  protected CborSerializable view(State state) {
    return state.status() == Status.NEW ? null : viewOf(state);
  }

  private View viewOf(State state) {
    return new View(context().entityId(), state.status(), state.from(), state.to(), state.amount(), state.step(),
        state.reason());
  }

  @Override
  protected ReplyEffect<Event, State> onCommand(State state, Command command, ActorRef<EntityReply> replyTo) {
    if (command instanceof Start start) {
      return onStart(state, start, replyTo);
    }
    if (command instanceof StepSucceeded succeeded) {
      return onSucceeded(state, succeeded.step());
    }
    if (command instanceof StepRejected rejected) {
      return onRejected(state, rejected);
    }
    if (command instanceof StepFailed failed) {
      return onFailed(state, failed);
    }
    if (command instanceof Resume resume) {
      if (state.waitsFor(resume.step())) {
        drive(state);
      }
      return Effect().noReply();
    }
    if (state.status() != Status.PENDING) {
      context().passivate();
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onStart(State state, Start start, ActorRef<EntityReply> replyTo) {
    if (state.status() != Status.NEW) {
      boolean same = Objects.equals(start.from(), state.from()) && Objects.equals(start.to(), state.to())
          && start.amount() == state.amount();
      return same
          ? reply(replyTo, viewOf(state))
          : reject(replyTo, "transfer '" + context().entityId() + "' was already started with other parameters");
    }
    if (start.from() == null || start.from().isBlank() || start.to() == null || start.to().isBlank()) {
      return reject(replyTo, "from and to must name accounts");
    }
    if (start.from().equals(start.to())) {
      return reject(replyTo, "from and to must be different accounts");
    }
    if (start.amount() < 1) {
      return reject(replyTo, "amount must be at least 1, not " + start.amount());
    }
    return Effect().persist(new TransferStarted(start.from(), start.to(), start.amount()))
        .thenRun(this::drive)
        .thenReply(replyTo, started -> EntityReply.ok(viewOf(started)));
  }

  private ReplyEffect<Event, State> onSucceeded(State state, Step step) {
    if (!state.waitsFor(step)) {
      return Effect().noReply();
    }
    Event event = switch (step) {
      case WITHDRAW -> new MoneyWithdrawn();
      case DEPOSIT -> new MoneyDeposited();
      case REFUND -> new MoneyRefunded();
    };
    return Effect().persist(event).thenRun(this::next).thenNoReply();
  }

  private ReplyEffect<Event, State> onRejected(State state, StepRejected rejected) {
    if (!state.waitsFor(rejected.step())) {
      return Effect().noReply();
    }
    switch (rejected.step()) {
      case WITHDRAW:
        return Effect().persist(new WithdrawalRejected(rejected.reason())).thenRun(this::next).thenNoReply();
      case DEPOSIT:
        return Effect().persist(new DepositRejected(rejected.reason())).thenRun(this::next).thenNoReply();
      default:
        // An account never refuses a positive deposit into an account that was open; should it
        // happen anyway, the money stays owed and the refund is retried rather than forgotten.
        context().log().error("Refund of transfer {} refused by account {}: {}; retrying",
            context().entityId(), state.from(), rejected.reason());
        retryLater(rejected.step());
        return Effect().noReply();
    }
  }

  private ReplyEffect<Event, State> onFailed(State state, StepFailed failed) {
    if (state.waitsFor(failed.step())) {
      context().log().warn("Transfer {}: no answer for {} ({}); retrying", context().entityId(), failed.step(),
          failed.error());
      retryLater(failed.step());
    }
    return Effect().noReply();
  }

  /** After a step's event is journaled: the next account command, or rest. */
  private void next(State state) {
    failedAttempts = 0;
    if (state.status() == Status.PENDING) {
      drive(state);
    } else {
      context().scheduleOnce(passivateAfter, new Passivate());
    }
  }

  /** Sends the account command the pending step needs; its answer comes back as a command. */
  private void drive(State state) {
    Step step = state.step();
    String operationId = TYPE + "/" + context().entityId() + "/" + step.name().toLowerCase(java.util.Locale.ROOT);
    Account.Command command = step == Step.WITHDRAW
        ? new Account.Withdraw(state.amount(), operationId)
        : new Account.Deposit(state.amount(), operationId);
    String account = step == Step.DEPOSIT ? state.to() : state.from();
    context().pipeToSelf(context().ask(Account.TYPE, account, command), (reply, failure) -> {
      if (failure != null) {
        return new StepFailed(step, failure.toString());
      }
      return reply instanceof EntityReply.Rejected rejected
          ? new StepRejected(step, rejected.reason())
          : new StepSucceeded(step);
    });
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
    if (state.status() == Status.PENDING) {
      context().log().info("Transfer {} resumes at {}", context().entityId(), state.step());
      drive(state);
    } else {
      context().scheduleOnce(passivateAfter, new Passivate());
    }
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(TransferStarted.class, (state, started) ->
            new State(Status.PENDING, started.from(), started.to(), started.amount(), Step.WITHDRAW, null))
        .onEvent(MoneyWithdrawn.class, (state, withdrawn) -> state.pending(Step.DEPOSIT))
        .onEvent(WithdrawalRejected.class, (state, rejected) -> state.failed("withdrawal refused: " + rejected.reason()))
        .onEvent(MoneyDeposited.class, (state, deposited) -> state.completed())
        .onEvent(DepositRejected.class, (state, rejected) -> state.refunding("deposit refused: " + rejected.reason()))
        .onEvent(MoneyRefunded.class, (state, refunded) -> state.failed(state.reason() + "; refunded"))
        .build();
  }
}
