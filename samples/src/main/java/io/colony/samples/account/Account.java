package io.colony.samples.account;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityCommandHandler;
import io.colony.persistence.sdk.EntityCommandHandlerBuilder;
import io.colony.persistence.sdk.EntityContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A bank account, {@link EmptyAccount} until it is opened, then an {@link OpenAccount} that
 * never goes below zero. Deposits and withdrawals may carry an {@code operationId}: a repeated id
 * gets the original outcome (the same balance, or the same refusal) and changes nothing, so a
 * caller that timed out — a person or a {@code transfer} saga — can simply send the same command
 * again. The latest {@code remembered-operations} ids are remembered, refusals included: an
 * operation refused before the account was opened stays refused after. GET →
 * {@code {"balance":…,"open":…}}.
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
  public sealed interface Command extends CborSerializable permits Open, Operation {}

  /** Opens the account; opening an open account changes nothing. */
  public record Open() implements Command {}

  /** A deposit or withdrawal: moves {@code amount} (at least 1); {@code operationId} is optional. */
  public sealed interface Operation extends Command permits Deposit, Withdraw {
    long amount();

    String operationId();
  }

  /** Adds {@code amount}. */
  public record Deposit(long amount, String operationId) implements Operation {}

  /** Takes {@code amount}, at most the balance. */
  public record Withdraw(long amount, String operationId) implements Operation {}

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

  /** The account in one of its phases; {@code recent} holds the latest outcomes with an id, oldest first. */
  public sealed interface State extends CborSerializable permits EmptyAccount, OpenAccount {
    long balance();

    List<Outcome> recent();

    default Optional<Outcome> outcomeOf(String operationId) {
      return recent().stream().filter(o -> o.operationId().equals(operationId)).findFirst();
    }

    default Balance view() {
      return new Balance(balance(), this instanceof OpenAccount);
    }
  }

  /** Not opened yet: every operation is refused. */
  public record EmptyAccount(List<Outcome> recent) implements State {
    public EmptyAccount {
      recent = List.copyOf(recent);
    }

    @Override
    public long balance() {
      return 0;
    }
  }

  /** Open: money moves. */
  public record OpenAccount(long balance, List<Outcome> recent) implements State {
    public OpenAccount {
      recent = List.copyOf(recent);
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
    return new EmptyAccount(List.of());
  }

  @Override
  protected CborSerializable view(State state) {
    return state.view();
  }

  @Override
  protected EntityCommandHandler<Command, Event, State> entityCommandHandler() {
    EntityCommandHandlerBuilder<Command, Event, State> builder = newEntityCommandHandlerBuilder();
    builder.forStateType(EmptyAccount.class)
        .onCommand(Open.class, this::open)
        .onCommand(Operation.class, (account, operation, replyTo) -> refuse(account, operation, "account is not open", replyTo));
    builder.forStateType(OpenAccount.class)
        .onCommand(Open.class, (account, open, replyTo) -> Effect().reply(replyTo, StatusReply.success(account.view())))
        .onCommand(Operation.class, this::operate);
    return builder.build();
  }

  private ReplyEffect<Event, State> open(EmptyAccount account, Open open, ActorRef<StatusReply<CborSerializable>> replyTo) {
    return Effect().persist(new Opened()).thenReply(replyTo, opened -> StatusReply.success(opened.view()));
  }

  private ReplyEffect<Event, State> operate(OpenAccount account, Operation operation,
      ActorRef<StatusReply<CborSerializable>> replyTo) {
    Optional<Outcome> earlier = earlierOutcome(account, operation);
    if (earlier.isPresent()) {
      return repeat(account, earlier.get(), operation, replyTo);
    }
    String refusal = refusal(account, operation);
    if (refusal != null) {
      return refuse(account, operation, refusal, replyTo);
    }
    Event event = operation instanceof Deposit
        ? new Deposited(operation.amount(), operation.operationId())
        : new Withdrawn(operation.amount(), operation.operationId());
    return Effect().persist(event).thenReply(replyTo, changed -> StatusReply.success(changed.view()));
  }

  /** Why the operation cannot happen on an open account, or null when it can. */
  private static String refusal(OpenAccount account, Operation operation) {
    if (operation.amount() < 1) {
      return "amount must be at least 1, not " + operation.amount();
    }
    if (operation instanceof Withdraw && operation.amount() > account.balance()) {
      return "insufficient funds: the balance is " + account.balance() + ", the withdrawal " + operation.amount();
    }
    if (operation instanceof Deposit && account.balance() > Long.MAX_VALUE - operation.amount()) {
      return "the balance would overflow";
    }
    return null;
  }

  /** Refuses; an operation with an id is remembered as refused, so its retries are refused too. */
  private ReplyEffect<Event, State> refuse(State account, Operation operation, String reason,
      ActorRef<StatusReply<CborSerializable>> replyTo) {
    Optional<Outcome> earlier = earlierOutcome(account, operation);
    if (earlier.isPresent()) {
      return repeat(account, earlier.get(), operation, replyTo);
    }
    if (operation.operationId() == null) {
      return Effect().reply(replyTo, StatusReply.error(reason));
    }
    return Effect().persist(new OperationRejected(kindOf(operation), operation.amount(), operation.operationId(), reason))
        .thenReply(replyTo, rejected -> StatusReply.error(reason));
  }

  private static Optional<Outcome> earlierOutcome(State account, Operation operation) {
    return operation.operationId() == null ? Optional.empty() : account.outcomeOf(operation.operationId());
  }

  /** A repeated operation id: the original outcome again, if it is really the same operation. */
  private ReplyEffect<Event, State> repeat(State account, Outcome earlier, Operation operation,
      ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (!earlier.kind().equals(kindOf(operation)) || earlier.amount() != operation.amount()) {
      return Effect().reply(replyTo, StatusReply.error("operation id '" + operation.operationId()
          + "' was already used for a " + earlier.kind() + " of " + earlier.amount()));
    }
    return earlier.reason() == null
        ? Effect().reply(replyTo, StatusReply.success(new Balance(earlier.balance(), account instanceof OpenAccount)))
        : Effect().reply(replyTo, StatusReply.error(earlier.reason()));
  }

  private static String kindOf(Operation operation) {
    return operation instanceof Deposit ? "deposit" : "withdrawal";
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    EventHandlerBuilder<State, Event> builder = newEventHandlerBuilder();
    builder.forStateType(EmptyAccount.class)
        .onEvent(Opened.class, (account, opened) -> new OpenAccount(0, account.recent()))
        .onEvent(OperationRejected.class, (account, rejected) -> new EmptyAccount(remember(account, rejected)));
    builder.forStateType(OpenAccount.class)
        .onEvent(Deposited.class, (account, deposited) ->
            moved(account, deposited.operationId(), "deposit", deposited.amount(), account.balance() + deposited.amount()))
        .onEvent(Withdrawn.class, (account, withdrawn) ->
            moved(account, withdrawn.operationId(), "withdrawal", withdrawn.amount(), account.balance() - withdrawn.amount()))
        .onEvent(OperationRejected.class, (account, rejected) -> new OpenAccount(account.balance(), remember(account, rejected)));
    return builder.build();
  }

  private OpenAccount moved(OpenAccount account, String operationId, String kind, long amount, long balance) {
    return operationId == null
        ? new OpenAccount(balance, account.recent())
        : new OpenAccount(balance, remember(account.recent(), new Outcome(operationId, kind, amount, balance, null)));
  }

  private List<Outcome> remember(State account, OperationRejected rejected) {
    return remember(account.recent(), new Outcome(rejected.operationId(), rejected.kind(), rejected.amount(),
        account.balance(), rejected.reason()));
  }

  /** The outcomes with {@code outcome} added, the oldest dropped beyond {@code remembered-operations}. */
  private List<Outcome> remember(List<Outcome> recent, Outcome outcome) {
    List<Outcome> more = new ArrayList<>(recent);
    more.add(outcome);
    while (more.size() > rememberedOperations) {
      more.remove(0);
    }
    return more;
  }
}
