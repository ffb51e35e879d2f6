package io.colony.samples.counter;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityCommandHandler;
import io.colony.persistence.sdk.EntityContext;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The smallest useful entity: a number that only grows.
 * {@code {"type":"increment","by":5}} → {@code {"value":5}}; GET → {@code {"value":5}}.
 */
public final class Counter extends ColonyEntity<Counter.Command, Counter.Event, Counter.State> {

  public static final String TYPE = "counter";

  // --- protocol ---

  /** What a counter does; the JSON "type" field picks the record. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes(@JsonSubTypes.Type(value = Increment.class, name = "increment"))
  public sealed interface Command extends CborSerializable permits Increment {}

  /** Adds {@code by} (at least 1). */
  public record Increment(long by) implements Command {}

  public sealed interface Event extends CborSerializable permits Incremented {}

  public record Incremented(long by) implements Event {}

  /** The state, which is also the reply and the GET view. */
  public record State(long value) implements CborSerializable {}

  // --- behaviour ---

  public Counter(EntityContext<Command> context) {
    super(context);
  }

  @Override
  public State emptyState() {
    return new State(0);
  }

  @Override
  protected EntityCommandHandler<Command, Event, State> entityCommandHandler() {
    return newEntityCommandHandlerBuilder().forAnyState()
        .onCommand(Increment.class, this::increment)
        .build();
  }

  private ReplyEffect<Event, State> increment(State state, Increment increment,
      ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (increment.by() < 1) {
      return Effect().reply(replyTo, StatusReply.error("by must be at least 1, not " + increment.by()));
    }
    if (state.value() > Long.MAX_VALUE - increment.by()) {
      return Effect().reply(replyTo, StatusReply.error("the counter would overflow"));
    }
    return Effect().persist(new Incremented(increment.by())).thenReply(replyTo, StatusReply::success);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Incremented.class, (state, incremented) -> new State(state.value() + incremented.by()))
        .build();
  }
}
