package io.colony.persistence.projection;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.colony.persistence.JournalDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain JDBC access to the journal database for read sides (projections, listings, retention
 * sweeps): a small connection pool of its own, beside the journal plugin's, and a dedicated
 * dispatcher for the blocking calls, so they never run on Pekko's default dispatcher. The
 * database is the one the journal plugin is configured with ({@link JournalDatabase#ofPlugin}).
 * The pool is closed when the ActorSystem terminates.
 */
public final class ReadSideDatabase implements Extension {

  /** Work on a connection; it may throw, and must not close the connection. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T apply(Connection connection) throws SQLException;
  }

  private static final Logger log = LoggerFactory.getLogger(ReadSideDatabase.class);
  private static final String SETTINGS = "colony.persistence.read-side";
  private static final int SCHEMA_ATTEMPTS = 3;

  private static final ExtensionId<ReadSideDatabase> ID = new ExtensionId<>() {
    @Override
    public ReadSideDatabase createExtension(ActorSystem<?> system) {
      return new ReadSideDatabase(system);
    }
  };

  private final JournalDatabase database;
  private final HikariDataSource dataSource;
  private final Executor executor;

  private ReadSideDatabase(ActorSystem<?> system) {
    Config config = system.settings().config();
    Config settings = config.getConfig(SETTINGS);
    this.database = JournalDatabase.ofPlugin(config);
    HikariConfig pool = new HikariConfig();
    pool.setPoolName("colony-read-side");
    pool.setJdbcUrl(database.url());
    pool.setDriverClassName(database.kind().driver());
    pool.setUsername(database.user());
    pool.setPassword(database.password());
    pool.setMaximumPoolSize(settings.getInt("max-connections"));
    pool.setMinimumIdle(1);
    pool.setConnectionTimeout(settings.getDuration("connection-timeout").toMillis());
    // Start even while the database is away; calls fail (and are retried by their callers) until it is back.
    pool.setInitializationFailTimeout(-1);
    this.dataSource = new HikariDataSource(pool);
    this.executor = system.dispatchers().lookup(DispatcherSelector.fromConfig(SETTINGS + ".dispatcher"));
    system.getWhenTerminated().thenRun(dataSource::close);
  }

  public static ReadSideDatabase get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public JournalDatabase database() {
    return database;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /** The dispatcher for blocking JDBC calls. */
  public Executor executor() {
    return executor;
  }

  /** Runs {@code work} in one transaction on the JDBC dispatcher: committed if it returns, rolled back if it throws. */
  public <T> CompletionStage<T> inTransaction(SqlWork<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return inTransactionBlocking(work);
      } catch (SQLException e) {
        throw new CompletionException(e);
      }
    }, executor);
  }

  /** Like {@link #inTransaction}, on the calling thread; only for threads that may block. */
  public <T> T inTransactionBlocking(SqlWork<T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false); // the pool restores it when the connection goes back
      try {
        T result = work.apply(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        rollback(connection, e);
        throw e;
      }
    }
  }

  private static void rollback(Connection connection, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * Runs idempotent DDL ({@code CREATE … IF NOT EXISTS}) at start-up, blocking. Several nodes
   * may run it at once: PostgreSQL can fail one of two concurrent creations, so a failure is
   * retried.
   *
   * @throws IllegalStateException naming the database when the statements keep failing
   */
  public void ensureTables(String what, List<String> statements, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    SQLException last = null;
    for (int attempt = 1; attempt <= SCHEMA_ATTEMPTS && System.nanoTime() < deadline; attempt++) {
      try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
        statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
        for (String sql : statements) {
          statement.execute(sql);
        }
        log.info("{} tables ready in {}", what, database.describe());
        return;
      } catch (SQLException e) {
        last = e;
        log.warn("Creating the {} tables failed (attempt {} of {}): {}", what, attempt, SCHEMA_ATTEMPTS,
            e.getMessage());
      }
    }
    throw new IllegalStateException("Cannot create the " + what + " tables in " + database.describe() + ": "
        + (last == null ? "timed out after " + timeout : last.getMessage()), last);
  }
}
