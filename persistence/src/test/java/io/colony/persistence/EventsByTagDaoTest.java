package io.colony.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.query.dao.DefaultReadJournalDao;
import org.apache.pekko.persistence.jdbc.query.dao.ReadJournalDao;
import org.apache.pekko.persistence.jdbc.query.scaladsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import scala.Tuple3;
import scala.util.Try;

/** Colony's eventsByTag query answers as the plugin's own, and reads only the rows it returns. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class EventsByTagDaoTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withName("events-by-tag").withCustomConfig(config()).build();
  private JdbcReadJournal journal;
  private ReadJournalDao plugins;

  private static Config config() {
    Config base = ConfigFactory.parseString("""
            pekko.actor.provider = local
            colony.persistence.db.url = "jdbc:h2:mem:events-by-tag-%s;DB_CLOSE_DELAY=-1"
            """.formatted(UUID.randomUUID()))
        .withFallback(ConfigFactory.parseResources("colony-defaults.conf"))
        .withFallback(ConfigFactory.load());
    return JournalDatabase.from(base, "target").pluginConfig().withFallback(base).resolve();
  }

  /** A writer of one event per command, tagged as the command says. */
  private record Tagged(String text, Set<String> tags, ActorRef<Done> replyTo) implements CborSerializable {}

  private record Written(String text, Set<String> tags) implements CborSerializable {}

  private static final class Writer extends EventSourcedBehavior<Tagged, Written, Integer> {

    Writer(String id) {
      super(PersistenceId.of("writer", id));
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Tagged, Written, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Tagged.class, (count, command) -> Effect().persist(new Written(command.text(), command.tags()))
              .thenReply(command.replyTo(), c -> Done.getInstance()))
          .build();
    }

    @Override
    public EventHandler<Integer, Written> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((count, event) -> count + 1);
    }

    @Override
    public Set<String> tagsFor(Written event) {
      return event.tags();
    }
  }

  @BeforeAll
  void writeEvents() throws SQLException {
    JournalSchema.ensure(testKit.system(), JournalDatabase.ofPlugin(testKit.system().settings().config()),
        Duration.ofSeconds(30));
    journal = (JdbcReadJournal) PersistenceQuery.get(Adapter.toClassic(testKit.system()))
        .readJournalFor("jdbc-read-journal");
    DefaultReadJournalDao ours = (DefaultReadJournalDao) journal.readJournalDao();
    plugins = new DefaultReadJournalDao(ours.db(), ours.profile(), ours.readJournalConfig(),
        SerializationExtension.get(Adapter.toClassic(testKit.system())), ours.ec(), ours.mat());
    ActorRef<Tagged> a = testKit.spawn(behavior("a"));
    ActorRef<Tagged> b = testKit.spawn(behavior("b"));
    TestProbe<Done> written = testKit.createTestProbe();
    for (int i = 0; i < 60; i++) {
      Set<String> tags = switch (i % 4) {
        case 0 -> Set.of("red");
        case 1 -> Set.of("red", "blue");
        case 2 -> Set.of();
        default -> Set.of("blue");
      };
      (i % 3 == 0 ? a : b).tell(new Tagged("event " + i, tags, written.getRef()));
      written.expectMessage(Duration.ofSeconds(10), Done.getInstance());
    }
    // Deleted rows are not read (the plugin marks the highest deleted event instead of removing it).
    sql("UPDATE \"event_journal\" SET \"deleted\" = TRUE "
        + "WHERE \"persistence_id\" = 'writer|a' AND \"sequence_number\" <= 3");
    // 5,000 more events with another tag (their payloads are never read): H2 plans by table size.
    sql("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\", "
        + "\"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") "
        + "SELECT 'bulk|' || X, 1, 'w', 0, '', X'00', 1, '' FROM SYSTEM_RANGE(1, 5000)");
    sql("INSERT INTO \"event_tag\" (\"event_id\", \"tag\") SELECT \"ordering\", 'bulk' FROM \"event_journal\" "
        + "WHERE \"persistence_id\" LIKE 'bulk|%'");
    sql("ANALYZE");
  }

  private static Behavior<Tagged> behavior(String id) {
    return new Writer(id);
  }


  @Test
  void theReadJournalUsesColonysQuery() {
    assertInstanceOf(EventsByTagDao.class, journal.readJournalDao());
  }

  @Test
  void resultsAreThePluginsForEveryTagRangeAndLimit() throws Exception {
    for (String tag : List.of("red", "blue", "green")) {
      long[][] ranges = {{0, 1000, 500}, {0, 1000, 7}, {10, 40, 500}, {25, 26, 8}, {59, 60, 8}, {60, 60, 8}};
      for (long[] range : ranges) {
        List<String> expected = events(plugins, tag, range);
        assertEquals(expected, events(journal.readJournalDao(), tag, range),
            "tag " + tag + ", offset " + range[0] + ", max offset " + range[1] + ", max " + range[2]);
      }
    }
    assertEquals(List.of(), events(journal.readJournalDao(), "green", new long[] {0, 1000, 500}));
    assertTrue(events(journal.readJournalDao(), "red", new long[] {0, 1000, 500}).size() > 20);
  }

  @Test
  void orderingsAreThePlugins() throws Exception {
    for (long[] range : new long[][] {{0, 10000}, {0, 7}, {30, 20}, {5000, 10000}}) {
      assertEquals(orderings(plugins, range), orderings(journal.readJournalDao(), range),
          "offset " + range[0] + ", limit " + range[1]);
    }
    assertEquals(5060, orderings(journal.readJournalDao(), new long[] {0, 10000}).size());
  }

  private List<Object> orderings(ReadJournalDao dao, long[] range) throws Exception {
    return dao.journalSequence(range[0], range[1]).asJava().runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aPollReadsAboutTheRowsItReturnsNotTheWholeTagTable() throws SQLException {
    for (String[] poll : new String[][] {{"'red'", "0"}, {"'red'", "30"}, {"'bulk'", "2000"}, {"'green'", "0"}}) {
      String query = EventsByTagDao.query(((DefaultReadJournalDao) journal.readJournalDao()).readJournalConfig())
          .replaceFirst("\\?", poll[0]).replaceFirst("\\?", poll[1]).replaceFirst("\\?", "100000")
          .replaceFirst("\\?", poll[1]).replaceFirst("\\?", "100000").replaceFirst("\\?", "8");
      String analyzed = scalarText("EXPLAIN ANALYZE " + query);
      Matcher scans = Pattern.compile("scanCount: (\\d+)").matcher(analyzed);
      List<Integer> counts = new ArrayList<>();
      while (scans.find()) {
        counts.add(Integer.parseInt(scans.group(1)));
      }
      assertTrue(!counts.isEmpty() && counts.stream().allMatch(count -> count <= 20),
          "a poll of 8 reads about 8 rows of each table, not the 5,000 of another tag: " + analyzed);
      assertTrue(analyzed.contains("event_tag_tag_idx") && analyzed.contains("index sorted"), analyzed);
    }
  }

  private List<String> events(ReadJournalDao dao, String tag, long[] range) throws Exception {
    List<Try<Tuple3<PersistentRepr, scala.collection.immutable.Set<String>, Object>>> rows =
        dao.eventsByTag(tag, range[0], range[1], range[2]).asJava()
            .runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    return rows.stream().map(row -> {
      Tuple3<PersistentRepr, scala.collection.immutable.Set<String>, Object> event = row.get();
      PersistentRepr repr = event._1();
      return event._3() + " " + repr.persistenceId() + "#" + repr.sequenceNr() + " " + repr.payload()
          + " at " + repr.timestamp() + " by " + repr.writerUuid() + " tags " + event._2();
    }).toList();
  }

  private Connection connect() throws SQLException {
    JournalDatabase database = JournalDatabase.ofPlugin(testKit.system().settings().config());
    return java.sql.DriverManager.getConnection(database.url(), database.user(), database.password());
  }

  private void sql(String statement) throws SQLException {
    try (Connection connection = connect();
        Statement s = connection.createStatement()) {
      s.executeUpdate(statement);
    }
  }

  private String scalarText(String query) throws SQLException {
    try (Connection connection = connect();
        Statement s = connection.createStatement(); ResultSet row = s.executeQuery(query)) {
      row.next();
      return row.getString(1);
    }
  }
}
