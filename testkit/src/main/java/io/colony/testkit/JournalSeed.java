package io.colony.testkit;

import com.typesafe.config.ConfigFactory;
import io.colony.persistence.JournalDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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

  /**
   * A local ActorSystem with a node's serializers, to write events as a node would; terminate it
   * when the seeding is done.
   */
  public static ActorSystem<Void> serializationSystem() {
    return ActorSystem.create(Behaviors.empty(), "seed", ConfigFactory.parseString("""
            pekko.actor.provider = local
            pekko.coordinated-shutdown.exit-jvm = off
            """)
        .withFallback(ConfigFactory.parseResources("colony-defaults.conf"))
        .withFallback(ConfigFactory.load()).resolve());
  }

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

  /** Inserts {@code rows} (at most a few thousand) in one transaction, in the order given. */
  public void insert(Connection connection, List<Row> rows) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      List<Long> orderings = new ArrayList<>(rows.size());
      // One statement of many rows: H2's client sends each row of a JDBC batch as a round trip of its own.
      String values = String.join(", ", Collections.nCopies(rows.size(), "(?, ?, FALSE, ?, ?, '', ?, ?, ?)"));
      try (PreparedStatement events = connection.prepareStatement("INSERT INTO \"event_journal\" "
          + "(\"persistence_id\", \"sequence_number\", \"deleted\", \"writer\", \"write_timestamp\", "
          + "\"adapter_manifest\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\") VALUES " + values,
          new String[] {"ordering"})) {
        long now = System.currentTimeMillis();
        int p = 1;
        for (Row row : rows) {
          Serializer serializer = serialization.findSerializerFor(row.event());
          events.setString(p++, row.persistenceId());
          events.setLong(p++, row.sequenceNr());
          events.setString(p++, writer);
          events.setLong(p++, now);
          events.setInt(p++, serializer.identifier());
          events.setString(p++, Serializers.manifestFor(serializer, row.event()));
          events.setBytes(p++, serializer.toBinary(row.event()));
        }
        events.executeUpdate();
        try (ResultSet keys = events.getGeneratedKeys()) {
          while (keys.next()) {
            orderings.add(keys.getLong(1));
          }
        }
      }
      if (orderings.size() != rows.size()) {
        throw new SQLException("expected " + rows.size() + " generated orderings, got " + orderings.size());
      }
      List<Object[]> tagged = new ArrayList<>();
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).tag() != null) {
          tagged.add(new Object[] {orderings.get(i), rows.get(i).tag()});
        }
      }
      if (!tagged.isEmpty()) {
        try (PreparedStatement tags = connection.prepareStatement(
            "INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES "
                + String.join(", ", Collections.nCopies(tagged.size(), "(?, ?)")))) {
          int p = 1;
          for (Object[] tag : tagged) {
            tags.setLong(p++, (Long) tag[0]);
            tags.setString(p++, (String) tag[1]);
          }
          tags.executeUpdate();
        }
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
