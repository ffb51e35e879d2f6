package io.colony.testkit;

import io.colony.persistence.JournalDatabase;
import io.colony.sharding.kv.KeyValueEntity;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;

/**
 * Writes key-value events into a journal as the keys' entities would (persistence id
 * {@code kv|<key>}, tag {@code kv}, version 1; see {@link JournalSeed}), many keys at once: input
 * for the key listing without thousands of HTTP requests. Keys must be short (at most 200
 * characters) and not start with {@code ~}, so that their persistence ids are not hashed.
 */
public final class KvJournal {

  private static final int BATCH = 1000;

  private KvJournal() {}

  /** Writes each key with its own name as the value into the journal of {@code system}'s node. */
  public static void write(ActorSystem<?> system, List<String> keys) {
    write(JournalDatabase.ofPlugin(system.settings().config()), system, keys,
        key -> key.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes each key with the value {@code valueOf} gives into {@code database}, serialized by
   * {@code system} (which needs Colony's serialization settings, not a running node).
   */
  public static void write(JournalDatabase database, ActorSystem<?> system, List<String> keys,
      java.util.function.Function<String, byte[]> valueOf) {
    write(database, system, keys, valueOf, BATCH);
  }

  /** As above, {@code batch} keys per statement and transaction (a few for large values). */
  public static void write(JournalDatabase database, ActorSystem<?> system, List<String> keys,
      java.util.function.Function<String, byte[]> valueOf, int batch) {
    JournalSeed seed = new JournalSeed(database, SerializationExtension.get(Adapter.toClassic(system)));
    try (Connection connection = seed.connect()) {
      for (int from = 0; from < keys.size(); from += batch) {
        List<JournalSeed.Row> rows = new ArrayList<>(batch);
        for (String key : keys.subList(from, Math.min(keys.size(), from + batch))) {
          if (key.length() > 200 || key.startsWith("~")) {
            throw new IllegalArgumentException("Such a key has a hashed persistence id: " + key);
          }
          rows.add(new JournalSeed.Row(KeyValueEntity.ENTITY_KEY.name() + "|" + key, 1,
              new KeyValueEntity.ValueWritten(key, valueOf.apply(key), "text/plain", 1), KeyValueEntity.TAG));
        }
        seed.insert(connection, rows);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Writing key-value events failed", e);
    }
  }
}
