package io.colony.persistence;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;

/** Follows every event with one tag, from the start of the journal and then live, for read-side views. */
public final class TaggedEvents {

  private TaggedEvents() {}

  /**
   * Calls {@code consumer} for each event in journal order, on one stream thread at a time.
   * When the database fails the stream restarts with backoff from the last offset it handled.
   */
  public static void follow(ActorSystem<?> system, String readJournalPluginId, String tag, Consumer<EventEnvelope> consumer) {
    EventsByTagQuery journal = PersistenceQuery.get(system).getReadJournalFor(EventsByTagQuery.class, readJournalPluginId);
    AtomicReference<Offset> offset = new AtomicReference<>(Offset.noOffset());
    RestartSettings backoff = RestartSettings.create(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2);
    RestartSource.withBackoff(backoff, () -> journal.eventsByTag(tag, offset.get()))
        .runWith(Sink.foreach(envelope -> {
          consumer.accept(envelope);
          offset.set(envelope.offset());
        }), system);
  }
}
