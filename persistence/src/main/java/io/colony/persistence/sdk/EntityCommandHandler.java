package io.colony.persistence.sdk;

import io.colony.persistence.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * An entity's commands per state, built with {@link EntityCommandHandlerBuilder} (the shape of
 * Pekko's {@code CommandHandlerWithReplyBuilder}). The first registered handler whose state type
 * and command type match takes the command; a command that none matches is not handled.
 *
 * @param <C> the entity type's command interface
 * @param <E> the event interface
 * @param <S> the state
 */
public final class EntityCommandHandler<C, E, S> {

  /**
   * One command's rules in one state: decide, then
   * {@code Effect().persist(event).thenReply(replyTo, s -> StatusReply.success(value))},
   * {@code Effect().reply(replyTo, StatusReply.success(value))} without a change, or
   * {@code Effect().reply(replyTo, StatusReply.error(reason))} to refuse (HTTP 422).
   *
   * @param <T> the state type the handler is registered for
   * @param <X> the command type the handler is registered for
   */
  @FunctionalInterface
  public interface Handler<T, X, E, S> {
    ReplyEffect<E, S> apply(T state, X command, ActorRef<StatusReply<CborSerializable>> replyTo);
  }

  /** One registration: in states of {@code stateType}, commands of {@code commandType}. */
  record Case<E, S>(Class<?> stateType, Class<?> commandType, Handler<Object, Object, E, S> handler) {}

  private final List<Case<E, S>> cases;

  EntityCommandHandler(List<Case<E, S>> cases) {
    this.cases = List.copyOf(cases);
  }

  /** The effect of the first matching handler, or {@code null} when none matches. */
  ReplyEffect<E, S> apply(S state, Object command, ActorRef<StatusReply<CborSerializable>> replyTo) {
    for (Case<E, S> c : cases) {
      if (c.stateType().isInstance(state) && c.commandType().isInstance(command)) {
        return c.handler().apply(state, command, replyTo);
      }
    }
    return null;
  }
}
