package io.colony.sharding.kv;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The read side of the key-value store: every node keeps the sorted set of existing keys,
 * built from the journal's tagged events and kept up to date by polling for new ones.
 * Eventually consistent: a key shows up a moment (the read journal's refresh interval, more
 * while the journal fills an ordering gap) after its write was acknowledged.
 *
 * <p>Retention deletes old events, but never a key's latest one, so replaying what is left
 * still ends in each key's current existence.
 */
public final class KeyIndex {

  private final NavigableSet<String> keys = new ConcurrentSkipListSet<>();
  private final AtomicReference<Offset> offset = new AtomicReference<>(Offset.noOffset());

  private KeyIndex() {}

  /** Starts following the journal; the stream restarts with backoff when the database fails. */
  public static KeyIndex start(ActorSystem<?> system, String readJournalPluginId) {
    KeyIndex index = new KeyIndex();
    EventsByTagQuery journal =
        PersistenceQuery.get(system).getReadJournalFor(EventsByTagQuery.class, readJournalPluginId);
    RestartSettings backoff = RestartSettings.create(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2);
    RestartSource.withBackoff(backoff, () -> journal.eventsByTag(KeyValueEntity.TAG, index.offset.get()))
        .runWith(Sink.foreach(index::apply), system);
    return index;
  }

  void apply(EventEnvelope envelope) {
    if (envelope.event() instanceof KeyValueEntity.ValueWritten written) {
      keys.add(written.key());
    } else if (envelope.event() instanceof KeyValueEntity.ValueDeleted deleted) {
      keys.remove(deleted.key());
    }
    offset.set(envelope.offset());
  }

  /** Up to {@code limit} keys that start with {@code prefix}, in order, after {@code after} if given. */
  public List<String> list(String prefix, String after, int limit) {
    NavigableSet<String> range = keys.tailSet(prefix, true);
    if (after != null && after.compareTo(prefix) >= 0) {
      range = keys.tailSet(after, false);
    }
    List<String> result = new ArrayList<>(Math.min(limit, 1024));
    for (String key : range) {
      if (!key.startsWith(prefix) || result.size() == limit) {
        break;
      }
      result.add(key);
    }
    return result;
  }
}
