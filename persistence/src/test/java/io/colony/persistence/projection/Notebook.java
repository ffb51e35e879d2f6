package io.colony.persistence.projection;

import io.colony.persistence.CborSerializable;
import java.util.Set;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/** A test entity whose every event carries the tag {@link #TAG}: input for projections. */
final class Notebook extends EventSourcedBehavior<Notebook.Note, Notebook.Noted, Integer> {

  static final String TAG = "note";

  record Note(String text, ActorRef<Done> replyTo) implements CborSerializable {}

  record Noted(String text) implements CborSerializable {}

  private Notebook(String id) {
    super(PersistenceId.of("notebook", id));
  }

  static Behavior<Note> create(String id) {
    return new Notebook(id);
  }

  @Override
  public Integer emptyState() {
    return 0;
  }

  @Override
  public CommandHandler<Note, Noted, Integer> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Note.class, (count, note) -> Effect().persist(new Noted(note.text()))
            .thenReply(note.replyTo(), c -> Done.getInstance()))
        .build();
  }

  @Override
  public EventHandler<Integer, Noted> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Noted.class, (count, noted) -> count + 1).build();
  }

  @Override
  public Set<String> tagsFor(Noted event) {
    return Set.of(TAG);
  }
}
