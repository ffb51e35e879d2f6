package io.colony.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the journal database can be used, checked on a new connection every few seconds
 * (so a closed or damaged database is seen even while pooled connections linger). A damaged
 * database (H2: "File corrupted", "The database has been closed"; PostgreSQL: SQLSTATE XX001/XX002)
 * is reported once, clearly, with what to do, instead of a stack trace per request; the node
 * turns not ready and answers data requests with 503 until the database works again.
 */
public final class JournalHealth implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JournalHealth.class);

  public enum Condition { OK, UNREACHABLE, DAMAGED }

  /** The last check's verdict; {@code reason} is null when OK. */
  public record Status(Condition condition, String reason) {
    public boolean usable() {
      return condition == Condition.OK;
    }
  }

  private final JournalDatabase database;
  private final Duration timeout;
  private final ScheduledExecutorService checker;
  private final AtomicBoolean checkQueued = new AtomicBoolean();
  private volatile Status status = new Status(Condition.OK, null);
  private volatile Duration lastCheckTook = Duration.ZERO;

  private JournalHealth(JournalDatabase database, Duration timeout) {
    this.database = database;
    this.timeout = timeout;
    this.checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "colony-journal-health");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Checks now (blocking), then every {@code interval} on a thread of its own. */
  public static JournalHealth start(JournalDatabase database, Duration interval, Duration timeout) {
    JournalHealth health = new JournalHealth(database, timeout);
    health.check();
    health.checker.scheduleWithFixedDelay(health::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    return health;
  }

  public Status current() {
    return status;
  }

  /** How long the last check took, connecting included: the database's latency as this node sees it (for metrics). */
  public Duration lastCheckTook() {
    return lastCheckTook;
  }

  /** Asks for a check soon (e.g. when an error that looks like damage was seen elsewhere). */
  public void checkSoon() {
    if (checkQueued.compareAndSet(false, true)) {
      checker.execute(() -> {
        checkQueued.set(false);
        check();
      });
    }
  }

  /** Runs one check and records (and, on a change, logs) its verdict. */
  Status check() {
    Status next;
    long start = System.nanoTime();
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
      // Touches the journal's primary index, not just the connection.
      try (ResultSet rs = statement.executeQuery("SELECT MAX(ordering) FROM event_journal")) {
        rs.next();
      }
      next = new Status(Condition.OK, null);
    } catch (SQLException | RuntimeException e) {
      next = new Status(classify(e), e.getMessage() == null ? e.toString() : firstLine(e.getMessage()));
    }
    lastCheckTook = Duration.ofNanos(System.nanoTime() - start);
    report(status, next);
    status = next;
    return next;
  }

  /**
   * A new connection whose opening is bounded by {@code timeout} through the driver's own
   * properties, not {@code DriverManager.setLoginTimeout}, which would change it for the whole JVM.
   * H2 bounds its TCP connect itself ({@code h2.socketConnectTimeout}, 2 s); the statement's query
   * timeout bounds the rest.
   */
  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    if (database.user() != null) {
      properties.setProperty("user", database.user());
    }
    if (database.password() != null) {
      properties.setProperty("password", database.password());
    }
    if (database.kind() == JournalDatabase.Kind.POSTGRES) {
      String seconds = String.valueOf(Math.max(1, timeout.toSeconds()));
      properties.setProperty("connectTimeout", seconds);
      properties.setProperty("loginTimeout", seconds);
    }
    return DriverManager.getConnection(database.url(), properties);
  }

  private void report(Status before, Status now) {
    if (before.condition() == now.condition()) {
      return;
    }
    switch (now.condition()) {
      case OK -> log.info("The journal database {} can be used again", database.describe());
      case UNREACHABLE -> log.warn("The journal database {} does not answer: {}. This node is not ready until it does.",
          database.describe(), now.reason());
      case DAMAGED -> log.error("THE JOURNAL DATABASE IS DAMAGED: {} ({}). This node is not ready and refuses data "
          + "requests until it is repaired; further errors of this kind are not logged one by one. What to do: {}",
          now.reason(), database.describe(), remedy());
    }
  }

  private String remedy() {
    return database.kind() == JournalDatabase.Kind.H2
        ? "stop the cluster (bin/colony down), keep a copy of the damaged file (colony.mv.db in the data folder), "
            + "then bring back the last backup with bin/colony restore FILE (see the README, 'Backups') and start again"
        : "restore the database from your PostgreSQL backups (pg_restore or a base backup), then restart the nodes";
  }

  /** Damage is a verdict about the data; anything else (refused, timed out, bad login) is unreachable. */
  public static Condition classify(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        int code = sql.getErrorCode();
        String state = sql.getSQLState() == null ? "" : sql.getSQLState();
        if (code == 90030 || code == 90098 || state.equals("XX001") || state.equals("XX002")) {
          return Condition.DAMAGED;
        }
      }
      if (looksLikeDamage(t.getMessage())) {
        return Condition.DAMAGED;
      }
    }
    return Condition.UNREACHABLE;
  }

  /** Whether an error message is one a damaged database gives (used to keep such errors out of the log). */
  public static boolean looksLikeDamage(String message) {
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("file corrupted") || m.contains("database has been closed") || m.contains("[90030-")
        || m.contains("[90098-") || m.contains("mvstoreexception") || m.contains("mvstore.panic");
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  @Override
  public void close() {
    checker.shutdownNow();
  }
}
