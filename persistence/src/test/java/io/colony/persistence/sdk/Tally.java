package io.colony.persistence.sdk;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/** A test entity for the SDK itself: counts marks; shows nothing until the first one. */
final class Tally extends ColonyEntity<Tally.Command, Tally.Event, Tally.State> {

  static final String TYPE = "tally";

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({@JsonSubTypes.Type(value = Mark.class, name = "mark"), @JsonSubTypes.Type(value = Peek.class, name = "peek")})
  sealed interface Command extends CborSerializable permits Mark, Peek {}

  record Mark(int times) implements Command {}

  record Peek() implements Command {}

  /** Not a Tally command: the envelope may carry anything serializable. */
  record Stranger(String name) implements CborSerializable {}

  sealed interface Event extends CborSerializable permits Marked {}

  record Marked(int times) implements Event {}

  record State(int marks) implements CborSerializable {}

  record Marks(int marks) implements CborSerializable {}

  Tally(EntityContext<Command> context) {
    super(context);
  }

  static Behavior<EntityMessage> create(EntityContext<Command> context) {
    return new Tally(context);
  }

  @Override
  public State emptyState() {
    return new State(0);
  }

  @Override
  protected ReplyEffect<Event, State> onCommand(State state, Command command, ActorRef<EntityReply> replyTo) {
    if (command instanceof Mark mark) {
      if (mark.times() < 1) {
        return reject(replyTo, "times must be at least 1");
      }
      return Effect().persist(new Marked(mark.times())).thenReply(replyTo, s -> EntityReply.ok(new Marks(s.marks())));
    }
    return reply(replyTo, new Marks(state.marks()));
  }

  @Override
  protected CborSerializable view(State state) {
    return state.marks() == 0 ? null : new Marks(state.marks());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Marked.class, (s, e) -> new State(s.marks() + e.times())).build();
  }
}
