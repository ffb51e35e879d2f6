package io.colony.tasks;

import io.colony.persistence.projection.ProjectionHandler;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The table {@code colony_tasks}, one row per task, kept from the task records' events: the
 * projection handler of {@link TaskListing}. Each row remembers the sequence number of the
 * record's event it applied last, and an event at or below it is skipped, so applying a
 * journal again changes nothing. A batch costs one query for the rows it touches and one
 * batched insert and update.
 */
final class TaskRows implements ProjectionHandler {

  /** Idempotent DDL for H2 and PostgreSQL; the indexes serve the listing's filters, its order and retention. */
  static final List<String> DDL = List.of("""
      CREATE TABLE IF NOT EXISTS colony_tasks (
        id VARCHAR(255) NOT NULL PRIMARY KEY,
        type VARCHAR(255) NOT NULL,
        status VARCHAR(16) NOT NULL,
        attempts INTEGER NOT NULL,
        node VARCHAR(255),
        submitted_at BIGINT NOT NULL,
        started_at BIGINT,
        finished_at BIGINT,
        seq_nr BIGINT NOT NULL
      )""",
      "CREATE INDEX IF NOT EXISTS colony_tasks_submitted_idx ON colony_tasks (submitted_at DESC, id DESC)",
      "CREATE INDEX IF NOT EXISTS colony_tasks_status_idx ON colony_tasks (status, submitted_at DESC, id DESC)",
      "CREATE INDEX IF NOT EXISTS colony_tasks_type_idx ON colony_tasks (type, submitted_at DESC, id DESC)",
      "CREATE INDEX IF NOT EXISTS colony_tasks_finished_idx ON colony_tasks (finished_at)");

  private static final int IDS_PER_QUERY = 100;

  /** A row: what the listing shows of a task, and the last event applied. */
  record Row(String id, String type, TaskStatus status, int attempts, String node, long submittedAt, Long startedAt,
      Long finishedAt, long seqNr) {

    static Row submitted(TaskSpec spec, long seqNr) {
      // A missing type must not stop the projection for good (a NOT NULL violation would).
      String type = spec.type() == null ? "" : spec.type();
      return new Row(spec.id(), type, TaskStatus.PENDING, 0, null, spec.submittedAt(), null, null, seqNr);
    }

    /** As {@link TaskRecord.State#apply}, for the fields listed. */
    Row apply(TaskRecord.Event event, long seqNr) {
      if (event instanceof TaskRecord.Submitted submitted) {
        return submitted(submitted.spec(), seqNr);
      }
      if (event instanceof TaskRecord.AttemptStarted started) {
        int number = started.number() == null ? attempts + 1 : Math.max(attempts, started.number());
        return new Row(id, type, TaskStatus.RUNNING, number, started.node(), submittedAt,
            startedAt == null ? Long.valueOf(started.at()) : startedAt, null, seqNr);
      }
      if (event instanceof TaskRecord.RetryScheduled retry) {
        return new Row(id, type, TaskStatus.PENDING, atLeast(retry.attempts()), orNode(retry.node()), submittedAt,
            startedAt == null ? retry.startedAt() : startedAt, null, seqNr);
      }
      if (event instanceof TaskRecord.Finished finished) {
        return new Row(id, type, finished.outcome().status(), atLeast(finished.attempts()), orNode(finished.node()),
            submittedAt, startedAt == null ? finished.startedAt() : startedAt, finished.at(), seqNr);
      }
      if (event instanceof TaskRecord.Cancelled cancelled) {
        return new Row(id, type, TaskStatus.CANCELLED, attempts, node, submittedAt, startedAt, cancelled.at(), seqNr);
      }
      throw new IllegalArgumentException("Unknown task event " + event);
    }

    private int atLeast(Integer count) {
      return count == null ? attempts : Math.max(attempts, count);
    }

    private String orNode(String other) {
      return other == null ? node : other;
    }
  }

  @Override
  public void process(Connection connection, List<EventEnvelope> envelopes) throws SQLException {
    Set<String> ids = new LinkedHashSet<>();
    for (EventEnvelope envelope : envelopes) {
      ids.add(taskId(envelope));
    }
    Map<String, Row> stored = load(connection, ids);
    Map<String, Row> changed = new LinkedHashMap<>();
    for (EventEnvelope envelope : envelopes) {
      String id = taskId(envelope);
      Row current = changed.containsKey(id) ? changed.get(id) : stored.get(id);
      Row next = next(current, envelope);
      if (next != null) {
        changed.put(id, next);
      }
    }
    List<Row> inserts = new ArrayList<>();
    List<Row> updates = new ArrayList<>();
    changed.forEach((id, row) -> (stored.containsKey(id) ? updates : inserts).add(row));
    write(connection, "INSERT INTO colony_tasks (type, status, attempts, node, submitted_at, started_at, finished_at, "
        + "seq_nr, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", inserts);
    write(connection, "UPDATE colony_tasks SET type = ?, status = ?, attempts = ?, node = ?, submitted_at = ?, "
        + "started_at = ?, finished_at = ?, seq_nr = ? WHERE id = ?", updates);
  }

  /** The row after this event, or null when the event changes nothing (applied already, or its task is unknown). */
  private static Row next(Row current, EventEnvelope envelope) {
    if (!(envelope.event() instanceof TaskRecord.Event event)) {
      return null;
    }
    long seqNr = envelope.sequenceNr();
    if (current != null && seqNr <= current.seqNr()) {
      return null;
    }
    if (event instanceof TaskRecord.Submitted submitted) {
      return Row.submitted(submitted.spec(), seqNr);
    }
    // Without its Submitted the task is not listed (its row was forgotten by retention, say).
    return current == null ? null : current.apply(event, seqNr);
  }

  static String taskId(EventEnvelope envelope) {
    return PersistenceId.extractEntityId(envelope.persistenceId());
  }

  private static Map<String, Row> load(Connection connection, Set<String> ids) throws SQLException {
    Map<String, Row> rows = new HashMap<>();
    List<String> all = List.copyOf(ids);
    for (int from = 0; from < all.size(); from += IDS_PER_QUERY) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + IDS_PER_QUERY));
      String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
      try (PreparedStatement select = connection.prepareStatement("SELECT id, type, status, attempts, node, "
          + "submitted_at, started_at, finished_at, seq_nr FROM colony_tasks WHERE id IN (" + marks + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          select.setString(i + 1, chunk.get(i));
        }
        try (ResultSet result = select.executeQuery()) {
          while (result.next()) {
            Row row = new Row(result.getString(1), result.getString(2), TaskStatus.valueOf(result.getString(3)),
                result.getInt(4), result.getString(5), result.getLong(6), nullableLong(result, 7),
                nullableLong(result, 8), result.getLong(9));
            rows.put(row.id(), row);
          }
        }
      }
    }
    return rows;
  }

  /** The statement's parameters are the row's fields in {@code Row} order after the id, then the id. */
  private static void write(Connection connection, String sql, List<Row> rows) throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (Row row : rows) {
        statement.setString(1, row.type());
        statement.setString(2, row.status().name());
        statement.setInt(3, row.attempts());
        statement.setString(4, row.node());
        statement.setLong(5, row.submittedAt());
        setNullableLong(statement, 6, row.startedAt());
        setNullableLong(statement, 7, row.finishedAt());
        statement.setLong(8, row.seqNr());
        statement.setString(9, row.id());
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  private static void setNullableLong(PreparedStatement statement, int index, Long value) throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, value);
    }
  }

  private static Long nullableLong(ResultSet result, int column) throws SQLException {
    long value = result.getLong(column);
    return result.wasNull() ? null : value;
  }
}
