package io.colony.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The identity of the cluster a journal database belongs to: one row in {@code colony_cluster},
 * written by the first node that starts on an empty database. Every node reads it before it
 * joins, so that nodes on different databases cannot form one cluster (the runtime's join
 * check compares it). Plain JDBC, because it runs before the ActorSystem exists.
 */
public final class ClusterIdentity {

  private static final Logger log = LoggerFactory.getLogger(ClusterIdentity.class);

  static final String CREATE_TABLE = """
      CREATE TABLE IF NOT EXISTS colony_cluster (
        singleton INT NOT NULL PRIMARY KEY CHECK (singleton = 1),
        id VARCHAR(64) NOT NULL
      )""";
  private static final String INSERT = "INSERT INTO colony_cluster (singleton, id) VALUES (1, ?)";
  private static final String SELECT = "SELECT id FROM colony_cluster WHERE singleton = 1";
  /** SQLSTATE of a unique-key violation, in H2 and PostgreSQL alike. */
  private static final String UNIQUE_VIOLATION = "23505";

  private ClusterIdentity() {}

  /**
   * Answers the cluster id the database holds, creating the table and a random id when there
   * is none. Concurrent first starts agree: each tries to insert the one row, and all read back
   * whichever insert won. Retries until {@code timeout} while the database cannot be reached.
   *
   * @throws IllegalStateException naming the database when it cannot be used in time
   */
  public static String ensure(JournalDatabase database, Duration timeout, Duration retryPause) {
    long deadline = System.nanoTime() + timeout.toNanos();
    SQLException last;
    int attempt = 0;
    do {
      attempt++;
      try {
        return ensureOnce(database);
      } catch (SQLException e) {
        last = e;
        if (JournalHealth.classify(e) == JournalHealth.Condition.DAMAGED) {
          break; // a damaged database does not heal by waiting
        }
        log.warn("Reading the cluster id from {} failed (attempt {}): {}", database.describe(), attempt, e.getMessage());
        LockSupport.parkNanos(Math.min(retryPause.toNanos(), Math.max(0, deadline - System.nanoTime())));
      }
    } while (System.nanoTime() < deadline);
    throw new IllegalStateException(
        "Cannot use the journal database " + database.describe() + " (check COLONY_DB_URL, COLONY_DB_USER, "
            + "COLONY_DB_PASSWORD and that the database is running): " + last.getMessage(),
        last);
  }

  static String ensureOnce(JournalDatabase database) throws SQLException {
    try (Connection connection = DriverManager.getConnection(database.url(), database.user(), database.password())) {
      connection.setAutoCommit(true);
      try (Statement statement = connection.createStatement()) {
        createTable(statement);
      }
      String id = read(connection);
      if (id != null) {
        return id;
      }
      String generated = UUID.randomUUID().toString();
      try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
        insert.setString(1, generated);
        insert.executeUpdate();
        log.info("New cluster id {} stored in {}", generated, database.describe());
      } catch (SQLException e) {
        if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
          throw e;
        }
        // Another node inserted first: its id is the cluster's.
      }
      id = read(connection);
      if (id == null) {
        throw new SQLException("colony_cluster holds no id after inserting one");
      }
      return id;
    }
  }

  private static void createTable(Statement statement) throws SQLException {
    try {
      statement.execute(CREATE_TABLE);
    } catch (SQLException e) {
      // PostgreSQL can fail one of two concurrent CREATE TABLE IF NOT EXISTS; the other made it.
      if (!UNIQUE_VIOLATION.equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  private static String read(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(SELECT)) {
      return rows.next() ? rows.getString(1) : null;
    }
  }
}
