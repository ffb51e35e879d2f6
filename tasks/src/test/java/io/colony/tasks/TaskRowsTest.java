package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** The listing table kept from task events: statuses, attempt facts, and events applied at most once. */
@ExtendWith(LogCapturingExtension.class)
class TaskRowsTest {

  private final TaskRows rows = new TaskRows();
  private final AtomicLong ordering = new AtomicLong();
  private Connection connection;

  @BeforeEach
  void database() throws SQLException {
    connection = DriverManager.getConnection("jdbc:h2:mem:" + UUID.randomUUID() + ";DATABASE_TO_UPPER=false");
    try (Statement statement = connection.createStatement()) {
      for (String sql : TaskRows.DDL) {
        statement.execute(sql);
      }
      for (String sql : TaskRows.DDL) {
        statement.execute(sql); // idempotent
      }
    }
  }

  @AfterEach
  void close() throws SQLException {
    connection.close();
  }

  private static TaskSpec spec(String id) {
    return new TaskSpec(id, "pi", JsonNodeFactory.instance.objectNode(), 1000, 3, 0, 1_000L);
  }

  private EventEnvelope envelope(String id, long seqNr, TaskRecord.Event event) {
    return new EventEnvelope(Offset.sequence(ordering.incrementAndGet()), "task|" + id, seqNr, event, 0L);
  }

  private List<Object> row(String id) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT type, status, attempts, node, submitted_at, started_at, "
            + "finished_at, seq_nr FROM colony_tasks WHERE id = '" + id + "'")) {
      if (!result.next()) {
        return null;
      }
      List<Object> values = new ArrayList<>();
      for (int i = 1; i <= 8; i++) {
        values.add(result.getObject(i));
      }
      return values;
    }
  }

  @Test
  void aTaskGoesFromPendingThroughRetriesToItsOutcome() throws SQLException {
    rows.process(connection, List.of(envelope("a", 1, new TaskRecord.Submitted(spec("a")))));
    assertEquals(Arrays.asList("pi", "PENDING", 0, null, 1_000L, null, null, 1L), row("a"));

    rows.process(connection, List.of(
        envelope("a", 2, new TaskRecord.AttemptStarted("t1", "node-1", 2_000L, 1)),
        envelope("a", 3, new TaskRecord.RetryScheduled("boom", 1, "node-1", 2_000L, "t1"))));
    assertEquals(Arrays.asList("pi", "PENDING", 1, "node-1", 1_000L, 2_000L, null, 3L), row("a"));

    rows.process(connection, List.of(envelope("a", 4,
        new TaskRecord.Finished(Outcome.succeeded(JsonNodeFactory.instance.numberNode(3)), 5_000L, 2, "node-2", null))));
    assertEquals(Arrays.asList("pi", "SUCCEEDED", 2, "node-2", 1_000L, 2_000L, 5_000L, 4L), row("a"));
  }

  @Test
  void eventsAppliedAlreadyChangeNothing() throws SQLException {
    List<EventEnvelope> journal = List.of(
        envelope("b", 1, new TaskRecord.Submitted(spec("b"))),
        envelope("b", 2, new TaskRecord.Cancelled(3_000L)));
    rows.process(connection, journal);
    List<Object> once = row("b");
    assertEquals("CANCELLED", once.get(1));

    rows.process(connection, journal);
    rows.process(connection, journal.subList(0, 1));
    assertEquals(once, row("b"), "a replayed Submitted does not reset a cancelled task");
  }

  @Test
  void manyTasksInOneBatchAndEventsOfUnknownTasks() throws SQLException {
    List<EventEnvelope> batch = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      batch.add(envelope("t" + i, 1, new TaskRecord.Submitted(spec("t" + i))));
      batch.add(envelope("t" + i, 2, new TaskRecord.AttemptStarted("x", "n", 2_000L, null)));
    }
    batch.add(envelope("forgotten", 3, new TaskRecord.Cancelled(1L)));
    rows.process(connection, batch);
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT COUNT(*), MIN(attempts), MAX(attempts) FROM colony_tasks "
            + "WHERE status = 'RUNNING'")) {
      result.next();
      assertEquals(250, result.getInt(1));
      assertEquals(1, result.getInt(2), "an AttemptStarted without a number counts one more");
      assertEquals(1, result.getInt(3));
    }
    assertNull(row("forgotten"), "a task without its Submitted is not listed");
  }

  @Test
  void cursorsRoundTripAndRejectWhatTheyDidNotWrite() {
    TaskListing.Cursor cursor = new TaskListing.Cursor(1_700_000_000_123L, "task:with:colons");
    assertEquals(cursor, TaskListing.Cursor.decode(cursor.encode()));
    for (String bad : List.of("!!!", "", "bm9jb2xvbg", "OmlkLW9ubHk", "YWJjOmlk", "MTIzOg")) {
      assertThrows(IllegalArgumentException.class, () -> TaskListing.Cursor.decode(bad), bad);
    }
  }
}
