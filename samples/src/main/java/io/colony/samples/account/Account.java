package io.colony.samples.account;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A bank account. It must be opened before money moves; it never goes below zero.
 * Deposits and withdrawals may carry an {@code operationId}: a repeated id gets the original
 * outcome (the same balance, or the same refusal) and changes nothing, so a caller that timed
 * out — a person or a {@code transfer} saga — can simply send the same command again. The
 * latest {@code remembered-operations} ids are remembered. GET → {@code {"balance":…,"open":…}}.
 */
public final class Account extends ColonyEntity<Account.Command, Account.Event, Account.State> {

  public static final String TYPE = "account";

  // --- protocol ---

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Open.class, name = "open"),
    @JsonSubTypes.Type(value = Deposit.class, name = "deposit"),
    @JsonSubTypes.Type(value = Withdraw.class, name = "withdraw")
  })
  public sealed interface Command extends CborSerializable permits Open, Deposit, Withdraw {}

  /** Opens the account; opening an open account changes nothing. */
  public record Open() implements Command {}

  /** Adds {@code amount} (at least 1); {@code operationId} is optional. */
  public record Deposit(long amount, String operationId) implements Command, Operation {}

  /** Takes {@code amount} (at least 1, at most the balance); {@code operationId} is optional. */
  public record Withdraw(long amount, String operationId) implements Command, Operation {}

  /** A deposit or withdrawal. */
  sealed interface Operation permits Deposit, Withdraw {
    long amount();

    String operationId();
  }

  /** Every reply and the GET view. */
  public record Balance(long balance, boolean open) implements CborSerializable {}

  public sealed interface Event extends CborSerializable
      permits Opened, Deposited, Withdrawn, OperationRejected {}

  public record Opened() implements Event {}

  public record Deposited(long amount, String operationId) implements Event {}

  public record Withdrawn(long amount, String operationId) implements Event {}

  /** A refused operation that had an id: remembered, so a retry is refused the same way. */
  public record OperationRejected(String kind, long amount, String operationId, String reason) implements Event {}

  /** What became of one operation with an id. {@code reason} is null when it was carried out. */
  public record Outcome(String operationId, String kind, long amount, long balance, String reason)
      implements CborSerializable {}

  /** The account; {@code recent} holds the outcomes of the latest operations with an id, oldest first. */
  public record State(boolean open, long balance, List<Outcome> recent) implements CborSerializable {
    public State {
      recent = List.copyOf(recent);
    }

    Optional<Outcome> outcomeOf(String operationId) {
      return recent.stream().filter(o -> o.operationId().equals(operationId)).findFirst();
    }
  }

  // --- behaviour ---

  private final int rememberedOperations;

  public Account(EntityContext<Command> context) {
    super(context);
    this.rememberedOperations = context.settings().getInt("remembered-operations");
  }

  @Override
  public State emptyState() {
    return new State(false, 0, List.of());
  }

  @Override
  protected CborSerializable view(State state) {
    return balanceOf(state);
  }

  private static Balance balanceOf(State state) {
    return new Balance(state.balance(), state.open());
  }

  @Override
  protected ReplyEffect<Event, State> onCommand(State state, Command command, ActorRef<EntityReply> replyTo) {
    if (command instanceof Open) {
      return state.open()
          ? reply(replyTo, balanceOf(state))
          : Effect().persist(new Opened()).thenReply(replyTo, opened -> EntityReply.ok(balanceOf(opened)));
    }
    Operation operation = (Operation) command;
    String kind = kindOf(operation);
    if (operation.operationId() != null) {
      Optional<Outcome> earlier = state.outcomeOf(operation.operationId());
      if (earlier.isPresent()) {
        return repeat(earlier.get(), kind, operation, state, replyTo);
      }
    }
    String refusal = refusal(state, operation, kind);
    if (refusal != null) {
      return operation.operationId() == null
          ? reject(replyTo, refusal)
          : Effect().persist(new OperationRejected(kind, operation.amount(), operation.operationId(), refusal))
              .thenReply(replyTo, rejected -> EntityReply.rejected(refusal));
    }
    Event event = operation instanceof Deposit
        ? new Deposited(operation.amount(), operation.operationId())
        : new Withdrawn(operation.amount(), operation.operationId());
    return Effect().persist(event).thenReply(replyTo, changed -> EntityReply.ok(balanceOf(changed)));
  }

  /** Why the operation cannot happen, or null when it can. */
  private static String refusal(State state, Operation operation, String kind) {
    if (!state.open()) {
      return "account is not open";
    }
    if (operation.amount() < 1) {
      return "amount must be at least 1, not " + operation.amount();
    }
    if (operation instanceof Withdraw && operation.amount() > state.balance()) {
      return "insufficient funds: the balance is " + state.balance() + ", the withdrawal " + operation.amount();
    }
    if (operation instanceof Deposit && state.balance() > Long.MAX_VALUE - operation.amount()) {
      return "the balance would overflow";
    }
    return null;
  }

  /** A repeated operation id: the original outcome again, if it is really the same operation. */
  private ReplyEffect<Event, State> repeat(Outcome earlier, String kind, Operation operation, State state,
      ActorRef<EntityReply> replyTo) {
    if (!earlier.kind().equals(kind) || earlier.amount() != operation.amount()) {
      return reject(replyTo, "operation id '" + operation.operationId() + "' was already used for a "
          + earlier.kind() + " of " + earlier.amount());
    }
    return earlier.reason() == null
        ? reply(replyTo, new Balance(earlier.balance(), state.open()))
        : reject(replyTo, earlier.reason());
  }

  private static String kindOf(Operation operation) {
    return operation instanceof Deposit ? "deposit" : "withdrawal";
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Opened.class, (state, opened) -> new State(true, state.balance(), state.recent()))
        .onEvent(Deposited.class, (state, deposited) ->
            moved(state, deposited.operationId(), "deposit", deposited.amount(), state.balance() + deposited.amount()))
        .onEvent(Withdrawn.class, (state, withdrawn) ->
            moved(state, withdrawn.operationId(), "withdrawal", withdrawn.amount(), state.balance() - withdrawn.amount()))
        .onEvent(OperationRejected.class, (state, rejected) -> remember(state, state.balance(),
            new Outcome(rejected.operationId(), rejected.kind(), rejected.amount(), state.balance(), rejected.reason())))
        .build();
  }

  private State moved(State state, String operationId, String kind, long amount, long balance) {
    return operationId == null
        ? new State(state.open(), balance, state.recent())
        : remember(state, balance, new Outcome(operationId, kind, amount, balance, null));
  }

  private State remember(State state, long balance, Outcome outcome) {
    List<Outcome> recent = new ArrayList<>(state.recent());
    recent.add(outcome);
    while (recent.size() > rememberedOperations) {
      recent.remove(0);
    }
    return new State(state.open(), balance, recent);
  }
}
