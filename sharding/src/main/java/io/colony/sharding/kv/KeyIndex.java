package io.colony.sharding.kv;

import io.colony.persistence.TaggedEvents;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;

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

  private KeyIndex() {}

  /** Starts following the journal; the stream restarts with backoff when the database fails. */
  public static KeyIndex start(ActorSystem<?> system, String readJournalPluginId) {
    KeyIndex index = new KeyIndex();
    TaggedEvents.follow(system, readJournalPluginId, KeyValueEntity.TAG, index::apply);
    return index;
  }

  void apply(EventEnvelope envelope) {
    if (envelope.event() instanceof KeyValueEntity.ValueWritten written) {
      keys.add(written.key());
    } else if (envelope.event() instanceof KeyValueEntity.ValueDeleted deleted) {
      keys.remove(deleted.key());
    }
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
