package io.colony.persistence.sdk;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A test entity for the SDK itself: counts marks until it is sealed; shows nothing until the
 * first mark. {@code Note} is a command it only sends itself.
 */
final class Tally extends ColonyEntity<Tally.Command, Tally.Event, Tally.State> {

  static final String TYPE = "tally";

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Mark.class, name = "mark"),
      @JsonSubTypes.Type(value = Peek.class, name = "peek"),
      @JsonSubTypes.Type(value = Seal.class, name = "seal"),
      @JsonSubTypes.Type(value = Defer.class, name = "defer")})
  sealed interface Command extends CborSerializable permits Mark, Peek, Seal, Defer, Note {}

  record Mark(int times) implements Command {}

  record Peek() implements Command {}

  record Seal() implements Command {}

  /** Marks {@code times} later, by way of a {@link Note} to itself (which a sealed tally does not handle). */
  record Defer(int times) implements Command {}

  /** Sent only by the tally to itself, through {@link EntityContext#pipeToSelf}. */
  record Note(int times) implements Command {}

  /** Not a Tally command. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes(@JsonSubTypes.Type(value = Stranger.class, name = "stranger"))
  interface Foreign extends CborSerializable {}

  record Stranger(String name) implements Foreign {}

  sealed interface Event extends CborSerializable permits Marked, Sealed {}

  record Marked(int times) implements Event {}

  record Sealed() implements Event {}

  sealed interface State extends CborSerializable permits Counting, Closed {
    int marks();
  }

  record Counting(int marks) implements State {}

  record Closed(int marks) implements State {}

  record Marks(int marks) implements CborSerializable {}

  private Tally(EntityContext<Command> context) {
    super(context);
  }

  static Behavior<EntityMessage> create(EntityContext<Command> context) {
    return new Tally(context);
  }

  @Override
  public State emptyState() {
    return new Counting(0);
  }

  @Override
  protected EntityCommandHandler<Command, Event, State> entityCommandHandler() {
    EntityCommandHandlerBuilder<Command, Event, State> builder = newEntityCommandHandlerBuilder();
    builder.forStateType(Counting.class)
        .onCommand(Mark.class, this::mark)
        .onCommand(Seal.class, (state, seal, replyTo) -> Effect().persist(new Sealed()).thenReply(replyTo, Tally::marks))
        .onCommand(Note.class, (state, note, replyTo) -> Effect().persist(new Marked(note.times())).thenNoReply());
    builder.forAnyState()
        .onCommand(Peek.class, (state, peek, replyTo) -> Effect().reply(replyTo, marks(state)))
        .onCommand(Defer.class, this::defer);
    return builder.build();
  }

  private ReplyEffect<Event, State> mark(Counting state, Mark mark, ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (mark.times() < 1) {
      return Effect().reply(replyTo, StatusReply.error("times must be at least 1"));
    }
    return Effect().persist(new Marked(mark.times())).thenReply(replyTo, Tally::marks);
  }

  private ReplyEffect<Event, State> defer(State state, Defer defer, ActorRef<StatusReply<CborSerializable>> replyTo) {
    context().pipeToSelf(CompletableFuture.completedFuture(defer.times()), (times, failure) -> new Note(times));
    return Effect().reply(replyTo, marks(state));
  }

  private static StatusReply<CborSerializable> marks(State state) {
    return StatusReply.success(new Marks(state.marks()));
  }

  @Override
  protected CborSerializable view(State state) {
    return state.marks() == 0 ? null : new Marks(state.marks());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    EventHandlerBuilder<State, Event> builder = newEventHandlerBuilder();
    builder.forStateType(Counting.class)
        .onEvent(Marked.class, (state, marked) -> new Counting(state.marks() + marked.times()))
        .onEvent(Sealed.class, (state, sealed) -> new Closed(state.marks()));
    return builder.build();
  }
}
