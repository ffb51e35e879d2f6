package io.colony.http.testing;

import io.colony.persistence.JournalDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * Writes events straight into pekko-persistence-jdbc's tables ({@code event_journal} and
 * {@code event_tag}, the bundled schema's names) with batched JDBC, serialized exactly as the
 * journal plugin serializes them: many thousands of events a second, where writing them through
 * entities would take minutes. Each call is one transaction, events and tags together, as the
 * plugin writes them; the journal assigns the {@code ordering}.
 */
public final class JournalSeed {

  /** One event of a persistence id, with its tag (or null). */
  public record Row(String persistenceId, long sequenceNr, Object event, String tag) {}

  private final JournalDatabase database;
  private final Serialization serialization;
  private final String writer = UUID.randomUUID().toString();

  public JournalSeed(JournalDatabase database, Serialization serialization) {
    this.database = database;
    this.serialization = serialization;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(database.url(), database.user(), database.password());
  }

  /** Inserts {@code rows} in one transaction. */
  public void insert(Connection connection, List<Row> rows) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      List<Long> orderings = new ArrayList<>(rows.size());
      try (PreparedStatement events = connection.prepareStatement("INSERT INTO \"event_journal\" "
          + "(\"persistence_id\", \"sequence_number\", \"deleted\", \"writer\", \"write_timestamp\", \"adapter_manifest\", "
          + "\"event_ser_id\", \"event_ser_manifest\", \"event_payload\") VALUES (?, ?, FALSE, ?, ?, '', ?, ?, ?)",
          new String[] {"ordering"})) {
        long now = System.currentTimeMillis();
        for (Row row : rows) {
          Serializer serializer = serialization.findSerializerFor(row.event());
          events.setString(1, row.persistenceId());
          events.setLong(2, row.sequenceNr());
          events.setString(3, writer);
          events.setLong(4, now);
          events.setInt(5, serializer.identifier());
          events.setString(6, Serializers.manifestFor(serializer, row.event()));
          events.setBytes(7, serializer.toBinary(row.event()));
          events.addBatch();
        }
        events.executeBatch();
        try (ResultSet keys = events.getGeneratedKeys()) {
          while (keys.next()) {
            orderings.add(keys.getLong(1));
          }
        }
      }
      if (orderings.size() != rows.size()) {
        throw new SQLException("expected " + rows.size() + " generated orderings, got " + orderings.size());
      }
      try (PreparedStatement tags = connection.prepareStatement(
          "INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)")) {
        for (int i = 0; i < rows.size(); i++) {
          if (rows.get(i).tag() != null) {
            tags.setLong(1, orderings.get(i));
            tags.setString(2, rows.get(i).tag());
            tags.addBatch();
          }
        }
        tags.executeBatch();
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }
}
