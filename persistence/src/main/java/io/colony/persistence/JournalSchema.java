package io.colony.persistence;

import com.typesafe.config.Config;
import io.colony.persistence.projection.ReadSideDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the journal, snapshot and tag tables from pekko-persistence-jdbc's own schema when
 * they are missing, and the index {@code event_tag (tag, event_id)} that Colony's eventsByTag
 * query reads ({@link EventsByTagDao}; the plugin's schema has none that starts with the tag).
 * Idempotent; several nodes may run it at once (a lost race is retried).
 */
public final class JournalSchema {

  private static final Logger log = LoggerFactory.getLogger(JournalSchema.class);
  private static final int ATTEMPTS = 3;

  private JournalSchema() {}

  /** {@code CREATE INDEX IF NOT EXISTS} on the tag table, with the names the plugin is configured with. */
  static String tagIndex(Config config) {
    Config tags = config.getConfig("jdbc-journal.tables.event_tag");
    String schema = tags.getString("schemaName");
    String name = quote(tags.getString("tableName"));
    String table = schema.isEmpty() ? name : quote(schema) + "." + name;
    return "CREATE INDEX IF NOT EXISTS " + quote(tags.getString("tableName") + "_tag_idx") + " ON " + table + " ("
        + quote(tags.getString("columnNames.tag")) + ", " + quote(tags.getString("columnNames.eventId")) + ")";
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  /**
   * Blocks until the schema exists. Call once at start-up, before any entity runs.
   *
   * @throws IllegalStateException naming the database when it cannot be reached in time
   */
  public static void ensure(ActorSystem<?> system, JournalDatabase database, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last = null;
    for (int attempt = 1; attempt <= ATTEMPTS && System.nanoTime() < deadline; attempt++) {
      try {
        long left = Math.max(1, deadline - System.nanoTime());
        SchemaUtils.createIfNotExists(system).toCompletableFuture().get(left, TimeUnit.NANOSECONDS);
        ReadSideDatabase.get(system).ensureTables("journal tag index", List.of(tagIndex(system.settings().config())),
            Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        log.info("Journal schema ready in {}", database.describe());
        return;
      } catch (TimeoutException e) {
        last = e;
      } catch (ExecutionException | CompletionException e) {
        last = e.getCause() == null ? e : e.getCause();
        log.warn("Creating the journal schema failed (attempt {} of {}): {}", attempt, ATTEMPTS, last.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while creating the journal schema", e);
      }
    }
    throw new IllegalStateException(
        "Cannot use the journal database " + database.describe() + " (check COLONY_DB_URL, COLONY_DB_USER, "
            + "COLONY_DB_PASSWORD and that the database is running): "
            + (last == null ? "timed out after " + timeout : last.getMessage()),
        last);
  }
}
