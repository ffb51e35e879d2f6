package io.colony.samples.counter;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityReply;
import org.apache.pekko.actor.typed.ActorRef;
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
  protected ReplyEffect<Event, State> onCommand(State state, Command command, ActorRef<EntityReply> replyTo) {
    Increment increment = (Increment) command;
    if (increment.by() < 1) {
      return reject(replyTo, "by must be at least 1, not " + increment.by());
    }
    if (state.value() > Long.MAX_VALUE - increment.by()) {
      return reject(replyTo, "the counter would overflow");
    }
    return Effect().persist(new Incremented(increment.by())).thenReply(replyTo, EntityReply::ok);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Incremented.class, (state, incremented) -> new State(state.value() + incremented.by()))
        .build();
  }
}
