package com.example.guestbook;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityCommandHandler;
import io.colony.persistence.sdk.EntityContext;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/** A guest book: visitors sign it once each. */
public final class Guestbook extends ColonyEntity<Guestbook.Command, Guestbook.Event, Guestbook.State> {

  // Commands arrive as JSON; the "type" field picks the record.
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes(@JsonSubTypes.Type(value = Sign.class, name = "sign"))
  public interface Command extends CborSerializable {}

  public record Sign(String name) implements Command {}

  // Events go to the journal; the state is rebuilt from them.
  public interface Event extends CborSerializable {}

  public record Signed(String name) implements Event {}

  public record State(List<String> signatures) implements CborSerializable {
    State plus(String name) {
      List<String> more = new ArrayList<>(signatures);
      more.add(name);
      return new State(List.copyOf(more));
    }
  }

  public Guestbook(EntityContext<Command> context) {
    super(context);
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  protected EntityCommandHandler<Command, Event, State> entityCommandHandler() {
    return newEntityCommandHandlerBuilder().forAnyState()
        .onCommand(Sign.class, this::sign)
        .build();
  }

  private ReplyEffect<Event, State> sign(State state, Sign sign, ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (sign.name() == null || sign.name().isBlank()) {
      return Effect().reply(replyTo, StatusReply.error("a signature needs a name"));
    }
    if (state.signatures().contains(sign.name())) {
      return Effect().reply(replyTo, StatusReply.error(sign.name() + " has signed already"));
    }
    return Effect().persist(new Signed(sign.name())).thenReply(replyTo, StatusReply::success);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Signed.class, (state, signed) -> state.plus(signed.name()))
        .build();
  }
}
