package io.colony.persistence.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds an {@link EntityCommandHandler} the way Pekko's {@code CommandHandlerWithReplyBuilder}
 * does, over the entity type's own commands:
 *
 * <pre>{@code
 * EntityCommandHandlerBuilder<Command, Event, Account> builder = newEntityCommandHandlerBuilder();
 * builder.forStateType(EmptyAccount.class).onCommand(Open.class, this::open);
 * builder.forStateType(OpenAccount.class)
 *     .onCommand(Deposit.class, this::deposit)
 *     .onCommand(Withdraw.class, this::withdraw);
 * return builder.build();
 * }</pre>
 *
 * Pekko's own builder cannot be used for this: it is typed on the behaviour's command type, which
 * for a Colony entity is the {@link EntityMessage} envelope, and its handlers take no reply address.
 * Here a handler gets the envelope's reply address as its third argument. A command with no
 * handler for the current state is answered with an {@link UnsupportedCommandException}.
 *
 * @param <C> the entity type's command interface
 * @param <E> the event interface
 * @param <S> the state
 */
public final class EntityCommandHandlerBuilder<C, E, S> {

  private final List<EntityCommandHandler.Case<E, S>> cases = new ArrayList<>();

  EntityCommandHandlerBuilder() {}

  /** Handlers for states that are instances of {@code stateType} (a state class or interface). */
  public <T extends S> ForState<T> forStateType(Class<T> stateType) {
    return new ForState<>(Objects.requireNonNull(stateType));
  }

  /** Handlers for every state: for entities whose state has one shape. */
  public ForState<S> forAnyState() {
    return new ForState<>(Object.class);
  }

  /** The handler of everything registered so far, in the order it was registered. */
  public EntityCommandHandler<C, E, S> build() {
    return new EntityCommandHandler<>(cases);
  }

  /** The handlers of one state type. */
  public final class ForState<T> {
    private final Class<?> stateType;

    private ForState(Class<?> stateType) {
      this.stateType = stateType;
    }

    /** In this state, commands of {@code commandType} (a command class or interface) go to {@code handler}. */
    @SuppressWarnings("unchecked")
    public <X extends C> ForState<T> onCommand(Class<X> commandType, EntityCommandHandler.Handler<T, X, E, S> handler) {
      cases.add(new EntityCommandHandler.Case<>(stateType, Objects.requireNonNull(commandType),
          (EntityCommandHandler.Handler<Object, Object, E, S>) (EntityCommandHandler.Handler<?, ?, E, S>) handler));
      return this;
    }

    /** The same as the outer {@link EntityCommandHandlerBuilder#build()}: for a single state type. */
    public EntityCommandHandler<C, E, S> build() {
      return EntityCommandHandlerBuilder.this.build();
    }
  }
}
