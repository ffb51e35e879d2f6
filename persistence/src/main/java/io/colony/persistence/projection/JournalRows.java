package io.colony.persistence.projection;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collection;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Deletes every journal row of some persistence ids, for data that is forgotten on purpose
 * (retention): their events, their tags and their snapshots. Table and column names come from
 * pekko-persistence-jdbc's configuration ({@code jdbc-journal.tables}, {@code jdbc-snapshot-store.tables}).
 *
 * <p>Only for entities that will not write again while they are in memory: an entity that
 * persists after its rows are gone continues its old sequence numbers.
 */
public final class JournalRows {

  private final String deleteTags;
  private final String deleteEvents;
  private final String deleteSnapshots;

  private JournalRows(Config config) {
    Config journal = config.getConfig("jdbc-journal.tables.event_journal");
    Config tags = config.getConfig("jdbc-journal.tables.event_tag");
    Config snapshots = config.getConfig("jdbc-snapshot-store.tables.snapshot");
    String events = table(journal);
    String pid = quote(journal.getString("columnNames.persistenceId"));
    // event_tag refers to event_journal's ordering (ON DELETE CASCADE in the bundled schemas);
    // deleting the tags first does not depend on that.
    this.deleteTags = "DELETE FROM " + table(tags) + " WHERE " + quote(tags.getString("columnNames.eventId"))
        + " IN (SELECT " + quote(journal.getString("columnNames.ordering")) + " FROM " + events
        + " WHERE " + pid + " = ?)";
    this.deleteEvents = "DELETE FROM " + events + " WHERE " + pid + " = ?";
    this.deleteSnapshots = "DELETE FROM " + table(snapshots) + " WHERE "
        + quote(snapshots.getString("columnNames.persistenceId")) + " = ?";
  }

  public static JournalRows of(ActorSystem<?> system) {
    return new JournalRows(system.settings().config());
  }

  /** Deletes the rows in the caller's transaction. */
  public void delete(Connection connection, Collection<String> persistenceIds) throws SQLException {
    for (String sql : new String[] {deleteTags, deleteEvents, deleteSnapshots}) {
      try (PreparedStatement delete = connection.prepareStatement(sql)) {
        for (String persistenceId : persistenceIds) {
          delete.setString(1, persistenceId);
          delete.addBatch();
        }
        delete.executeBatch();
      }
    }
  }

  /** The plugin's Slick profiles quote names (lower case in both bundled schemas), so do we. */
  private static String table(Config table) {
    String schema = table.getString("schemaName");
    String name = quote(table.getString("tableName"));
    return schema.isEmpty() ? name : quote(schema) + "." + name;
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
