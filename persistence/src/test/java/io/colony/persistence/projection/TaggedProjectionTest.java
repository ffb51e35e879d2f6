package io.colony.persistence.projection;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.colony.persistence.JournalDatabase;
import io.colony.persistence.JournalSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A projection with a stored offset, on the real jdbc journal in an in-memory H2 database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class TaggedProjectionTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withName("projection").withCustomConfig(config()).build();
  private ReadSideDatabase database;

  private static Config config() {
    Config base = ConfigFactory.parseString("""
            pekko.actor.provider = local
            colony.persistence.db.url = "jdbc:h2:mem:projection-%s;DB_CLOSE_DELAY=-1"
            """.formatted(UUID.randomUUID()))
        .withFallback(ConfigFactory.parseResources("colony-defaults.conf"))
        .withFallback(ConfigFactory.load());
    return JournalDatabase.from(base, "target").pluginConfig().withFallback(base).resolve();
  }

  @BeforeAll
  void createTables() throws SQLException {
    JournalSchema.ensure(testKit.system(), JournalDatabase.ofPlugin(testKit.system().settings().config()),
        Duration.ofSeconds(30));
    TaggedProjection.ensureTables(testKit.system());
    TaggedProjection.ensureTables(testKit.system()); // idempotent
    database = ReadSideDatabase.get(testKit.system());
    database.inTransactionBlocking(connection -> {
      try (Statement statement = connection.createStatement()) {
        for (String table : List.of("notes_resume", "notes_atomic", "notes_lag", "notes_trim")) {
          statement.execute("CREATE TABLE " + table
              + " (persistence_id VARCHAR(255), seq_nr BIGINT, ordering BIGINT, PRIMARY KEY (persistence_id, seq_nr))");
        }
      }
      return null;
    });
  }


  @Test
  void aRestartedProjectionResumesAfterItsStoredOffsetAndAppliesNothingTwice() throws SQLException {
    Queue<Long> seen = new ConcurrentLinkedQueue<>();
    ProjectionHandler handler = recordingInto("notes_resume", seen);
    long earlier = journalNotes(); // of other tests
    ActorRef<TaggedProjection.Command> first = testKit.spawn(TaggedProjection.create(settings("resume"), handler));
    note("resume-a", 15);
    note("resume-b", 15);
    awaitCaughtUp("resume", "notes_resume");
    assertEquals(earlier + 30, count("notes_resume"));
    testKit.stop(first);

    long stored = storedOffset("resume");
    seen.clear();
    note("resume-a", 10);
    note("resume-c", 10);
    LoggingTestKit.info("Projection resume follows tag 'note' after offset " + stored)
        .expect(testKit.system(), () -> testKit.spawn(TaggedProjection.create(settings("resume"), handler)));
    awaitCaughtUp("resume", "notes_resume");

    assertEquals(earlier + 50, count("notes_resume"), "every event once: a second apply would break the primary key");
    assertEquals(20, seen.size(), "only the events after the stored offset were handed to the handler: " + seen);
    assertTrue(seen.stream().allMatch(offset -> offset > stored), "all after " + stored + ": " + seen);
  }

  @Test
  void aBatchsRowsAndItsOffsetAreCommittedTogetherOrNotAtAll() throws SQLException {
    String name = "atomic";
    database.inTransactionBlocking(connection -> ProjectionOffsets.readOrCreate(connection, name));
    Queue<Long> seen = new ConcurrentLinkedQueue<>();
    ProjectionHandler works = recordingInto("notes_atomic", seen);
    ProjectionHandler failsAfterWriting = (connection, envelopes) -> {
      works.process(connection, envelopes);
      throw new SQLException("the database went away after the rows were written");
    };

    assertEquals(3, apply(name, envelopes(1, 3), works));
    assertEquals(3, count("notes_atomic"));

    assertThrows(SQLException.class, () -> apply(name, envelopes(4, 6), failsAfterWriting));
    assertEquals(3, count("notes_atomic"), "the failed batch's rows were rolled back");
    assertEquals(3, storedOffset(name), "and so was its offset");

    assertEquals(6, apply(name, envelopes(4, 6), works));
    assertEquals(6, count("notes_atomic"));
    assertEquals(6, storedOffset(name));

    seen.clear();
    assertEquals(7, apply(name, envelopes(2, 7), works), "a batch overlapping the stored offset");
    assertEquals(List.of(7L), List.copyOf(seen), "only the event after the stored offset is handed on");
    assertEquals(7, count("notes_atomic"));
  }

  @Test
  void aNewEventIsProjectedWithinAboutASecond() throws SQLException {
    testKit.spawn(TaggedProjection.create(settings("lag"), recordingInto("notes_lag", new ConcurrentLinkedQueue<>())));
    note("lag-warm-up", 1);
    awaitCaughtUp("lag", "notes_lag");
    for (int i = 0; i < 3; i++) {
      long before = count("notes_lag");
      note("lag", 1);
      long written = System.nanoTime();
      await().atMost(Duration.ofMillis(1500)).pollInterval(Duration.ofMillis(20))
          .until(() -> count("notes_lag") == before + 1);
      long millis = (System.nanoTime() - written) / 1_000_000;
      System.out.println("projection lag " + millis + " ms");
    }
  }

  @Test
  void batchesHoldOnlyWhatTheHandlersTrimKeeps() {
    Queue<Object> handed = new ConcurrentLinkedQueue<>();
    ProjectionHandler recording = recordingInto("notes_trim", new ConcurrentLinkedQueue<>());
    ProjectionHandler trimming = new ProjectionHandler() {
      @Override
      public EventEnvelope trim(EventEnvelope envelope) {
        String text = ((Notebook.Noted) envelope.event()).text();
        return EventEnvelope.apply(envelope.offset(), envelope.persistenceId(), envelope.sequenceNr(), text.length(),
            envelope.timestamp());
      }

      @Override
      public void process(Connection connection, List<EventEnvelope> envelopes) throws SQLException {
        envelopes.forEach(envelope -> handed.add(envelope.event()));
        recording.process(connection, envelopes);
      }
    };
    testKit.spawn(TaggedProjection.create(settings("trim"), trimming));
    note("trim", 3);
    awaitCaughtUp("trim", "notes_trim");
    assertTrue(!handed.isEmpty() && handed.stream().allMatch(Integer.class::isInstance),
        "the handler saw only what trim kept: " + handed);
  }

  // --- helpers ---

  private TaggedProjection.Settings settings(String name) {
    return TaggedProjection.Settings.of(testKit.system(), name, Notebook.TAG, "jdbc-read-journal");
  }

  private final AtomicInteger books = new AtomicInteger();

  /** Persists {@code n} notes in the notebook {@code id} and waits until they are in the journal. */
  private void note(String id, int n) {
    ActorRef<Notebook.Note> book = testKit.spawn(Notebook.create(id), id + "-" + books.incrementAndGet());
    TestProbe<Done> written = testKit.createTestProbe();
    for (int i = 0; i < n; i++) {
      book.tell(new Notebook.Note("note " + i, written.getRef()));
    }
    for (int i = 0; i < n; i++) {
      written.expectMessage(Duration.ofSeconds(10), Done.getInstance());
    }
    testKit.stop(book);
  }

  private static ProjectionHandler recordingInto(String table, Queue<Long> seen) {
    return (connection, envelopes) -> {
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO " + table + " (persistence_id, seq_nr, ordering) VALUES (?, ?, ?)")) {
        for (EventEnvelope envelope : envelopes) {
          insert.setString(1, envelope.persistenceId());
          insert.setLong(2, envelope.sequenceNr());
          insert.setLong(3, TaggedProjection.offsetOf(envelope));
          insert.addBatch();
        }
        insert.executeBatch();
      }
      envelopes.forEach(envelope -> seen.add(TaggedProjection.offsetOf(envelope)));
    };
  }

  private static List<EventEnvelope> envelopes(long from, long to) {
    return LongStream.rangeClosed(from, to)
        .mapToObj(n -> new EventEnvelope(Offset.sequence(n), "synthetic|1", n, new Notebook.Noted("n" + n), 0L))
        .toList();
  }

  private long apply(String name, List<EventEnvelope> batch, ProjectionHandler handler) throws SQLException {
    return database.inTransactionBlocking(connection -> TaggedProjection.apply(connection, name, batch, handler));
  }

  /** Every notebook event is in the table and the stored offset is the last one's ordering. */
  private void awaitCaughtUp(String name, String table) {
    await().atMost(Duration.ofSeconds(15)).until(() ->
        count(table) == journalNotes()
            && storedOffset(name) == scalar("SELECT MAX(\"ordering\") FROM \"event_journal\""));
  }

  private long journalNotes() throws SQLException {
    return count("\"event_journal\" WHERE \"persistence_id\" LIKE 'notebook|%'");
  }

  private long count(String from) throws SQLException {
    return scalar("SELECT COUNT(*) FROM " + from);
  }

  private long storedOffset(String name) throws SQLException {
    return scalar("SELECT \"offset\" FROM colony_projection_offsets WHERE name = '" + name + "'");
  }

  private long scalar(String sql) throws SQLException {
    try (Connection connection = database.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      return row.next() ? row.getLong(1) : -1;
    }
  }
}
