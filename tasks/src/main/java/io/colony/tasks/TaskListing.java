package io.colony.tasks;

import com.typesafe.config.Config;
import io.colony.persistence.projection.ReadSideDatabase;
import io.colony.persistence.projection.TaggedProjection;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * {@code GET /v1/tasks}: pages of tasks, newest first, from the table {@code colony_tasks} in the
 * journal database. A {@link TaggedProjection} (one per cluster) keeps the table from the task
 * records' events ({@link TaskRows}), so it is eventually consistent, about a second behind;
 * {@code GET /v1/tasks/{id}} asks the record itself and is always current.
 */
public final class TaskListing {

  /** One task in a listing. */
  public record TaskSummary(String id, String type, TaskStatus status, int attempts, String node, long submittedAt,
      Long startedAt, Long finishedAt) {}

  /** A page; {@code next} is the {@code after} of the following page, null on the last one. */
  public record Page(List<TaskSummary> tasks, String next) {}

  /** Which tasks: {@code status} and {@code type} filter when not null; {@code after} continues a listing. */
  public record Query(TaskStatus status, String type, Cursor after, int limit) {}

  /**
   * Where a page ended: its last task's {@code submittedAt} and id, the listing's sort key. Sent
   * to clients as opaque base64url text of {@code "<submittedAt>:<id>"}.
   */
  public record Cursor(long submittedAt, String id) {

    public String encode() {
      return Base64.getUrlEncoder().withoutPadding()
          .encodeToString((submittedAt + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IllegalArgumentException when {@code text} is not a cursor this listing gave out */
    public static Cursor decode(String text) {
      String plain;
      try {
        plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("after is not a cursor from a previous page (not base64url)");
      }
      int colon = plain.indexOf(':');
      if (colon < 1 || colon == plain.length() - 1) {
        throw new IllegalArgumentException("after is not a cursor from a previous page");
      }
      try {
        return new Cursor(Long.parseLong(plain.substring(0, colon)), plain.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("after is not a cursor from a previous page");
      }
    }
  }

  /** The projection's name in {@code colony_projection_offsets}. */
  static final String PROJECTION = "tasks";

  private static final String COLUMNS = "id, type, status, attempts, node, submitted_at, started_at, finished_at";

  private final ReadSideDatabase database;
  private final Duration queryTimeout;

  private TaskListing(ReadSideDatabase database, Duration queryTimeout) {
    this.database = database;
    this.queryTimeout = queryTimeout;
  }

  /**
   * Creates the table if needed (blocking, bounded by {@code colony.persistence.db.startup-timeout})
   * and starts the projection that fills it.
   */
  static TaskListing start(ActorSystem<?> system, Config settings) {
    ReadSideDatabase database = ReadSideDatabase.get(system);
    database.ensureTables("task listing", TaskRows.DDL,
        system.settings().config().getDuration("colony.persistence.db.startup-timeout"));
    TaggedProjection.init(system,
        TaggedProjection.Settings.of(system, PROJECTION, TaskRecord.TAG, settings.getString("listing.read-journal")),
        new TaskRows());
    return new TaskListing(database, settings.getDuration("listing.query-timeout"));
  }

  /** A page of tasks, on the JDBC dispatcher; fails with a timeout when the database does not answer in time. */
  public CompletionStage<Page> list(Query query) {
    return database.inTransaction(connection -> page(connection, query))
        .toCompletableFuture()
        .orTimeout(queryTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Page page(Connection connection, Query query) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM colony_tasks WHERE 1 = 1");
    List<Object> values = new ArrayList<>();
    if (query.status() != null) {
      sql.append(" AND status = ?");
      values.add(query.status().name());
    }
    if (query.type() != null) {
      sql.append(" AND type = ?");
      values.add(query.type());
    }
    if (query.after() != null) {
      // (submitted_at, id) < (after): the first condition is an index range in both databases.
      sql.append(" AND submitted_at <= ? AND (submitted_at < ? OR id < ?)");
      values.add(query.after().submittedAt());
      values.add(query.after().submittedAt());
      values.add(query.after().id());
    }
    sql.append(" ORDER BY submitted_at DESC, id DESC LIMIT ?");
    values.add(query.limit() + 1); // one more tells whether there is a next page
    try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
      select.setQueryTimeout((int) Math.max(1, queryTimeout.toSeconds()));
      for (int i = 0; i < values.size(); i++) {
        select.setObject(i + 1, values.get(i));
      }
      List<TaskSummary> tasks = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          tasks.add(new TaskSummary(rows.getString(1), rows.getString(2), TaskStatus.valueOf(rows.getString(3)),
              rows.getInt(4), rows.getString(5), rows.getLong(6), nullableLong(rows, 7), nullableLong(rows, 8)));
        }
      }
      if (tasks.size() <= query.limit()) {
        return new Page(tasks, null);
      }
      List<TaskSummary> page = List.copyOf(tasks.subList(0, query.limit()));
      TaskSummary last = page.get(page.size() - 1);
      return new Page(page, new Cursor(last.submittedAt(), last.id()).encode());
    }
  }

  private static Long nullableLong(ResultSet rows, int column) throws SQLException {
    long value = rows.getLong(column);
    return rows.wasNull() ? null : value;
  }
}
