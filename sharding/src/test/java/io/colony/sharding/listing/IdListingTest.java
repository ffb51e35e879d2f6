package io.colony.sharding.listing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.colony.persistence.JournalDatabase;
import io.colony.persistence.projection.ReadSideDatabase;
import io.colony.sharding.kv.KeyValueEntity;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The rows of {@code colony_entity_ids} from events, and pages of them, on an in-memory H2 database. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class IdListingTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withName("listing").withCustomConfig(config()).build();
  private ReadSideDatabase database;
  private IdListing listing;
  private long ordering;

  private static Config config() {
    Config base = ConfigFactory.parseString("""
            pekko.actor.provider = local
            pekko.coordinated-shutdown.exit-jvm = off
            colony.persistence.db.url = "jdbc:h2:mem:listing-%s;DB_CLOSE_DELAY=-1"
            """.formatted(UUID.randomUUID()))
        .withFallback(ConfigFactory.parseResources("colony-defaults.conf"))
        .withFallback(ConfigFactory.load());
    return JournalDatabase.from(base, "target").pluginConfig().withFallback(base).resolve();
  }

  @BeforeAll
  void createTable() {
    database = ReadSideDatabase.get(testKit.system());
    database.ensureTables("entity id listing", IdListing.DDL, Duration.ofSeconds(30));
    database.ensureTables("entity id listing", IdListing.DDL, Duration.ofSeconds(30)); // idempotent
    listing = new IdListing(database, Duration.ofSeconds(3));
  }


  @Test
  void theListingsFollowTheReadJournalWithASmallBuffer() {
    Config config = testKit.system().settings().config();
    String readJournal = config.getString("colony.sharding.listing.read-journal");
    assertEquals("jdbc-read-journal", readJournal);
    assertEquals(8, config.getInt(readJournal + ".max-buffer-size"), "bounds a poll of 1 MiB events to 8 MiB");
  }

  @Test
  void keysAreListedWhileTheyExistInByteOrderWithPrefixAfterAndNext() throws Exception {
    // Java's String order (UTF-16) puts U+1F600 before U+FF46; UTF-8 bytes, PostgreSQL's and H2's order, after.
    List<String> keys = List.of("p/a", "p/b", "p/z", "p/é", "p/ｆ", "p/😀", "p/\u007f", "p", "q/a", "o/a");
    for (String key : keys) {
      kv(write(key, 1));
    }
    kv(write("p/gone", 1), deleted("p/gone", 2));
    kv(write("p/back", 1), deleted("p/back", 2), write("p/back", 3));

    List<String> expected =
        new ArrayList<>(List.of("p/a", "p/b", "p/z", "p/é", "p/ｆ", "p/😀", "p/\u007f", "p/back"));
    expected.sort(Comparator.comparing(key -> key.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
    assertEquals(List.of("p/a", "p/b", "p/back", "p/z", "p/\u007f", "p/é", "p/ｆ", "p/😀"), expected);

    assertEquals(expected, all("p/", 1000));
    assertEquals(expected, all("p/", 3), "pages of 3 add up to the same, each once");
    IdListing.Page first = page("p/", null, 3);
    assertEquals(expected.subList(0, 3), first.ids());
    assertEquals(expected.get(2), first.next());
    IdListing.Page last = page("p/", "p/é", 3);
    assertEquals(List.of("p/ｆ", "p/😀"), last.ids());
    assertNull(last.next(), "the last page says so");
    assertNull(page("p/", null, expected.size()).next(), "a full last page too");
    List<String> everything = all("", 1000);
    assertEquals(everything.stream().sorted(Comparator.comparing(key -> key.getBytes(StandardCharsets.UTF_8),
        Arrays::compareUnsigned)).toList(), everything, "no prefix: every key, in byte order");
    assertEquals(everything.subList(0, 2), page("", null, 2).ids());
    assertEquals(expected.subList(0, 2), page("p/", "o/z", 2).ids(), "an after before the prefix starts at the prefix");
    assertEquals(List.of(), page("p/", "q", 2).ids(), "an after past the prefix lists nothing");
    assertEquals(List.of("p", "p/a"), page("p", null, 2).ids());
  }

  @Test
  void appliedEventsAreSkippedAndADeletionRemovesTheRow() throws Exception {
    kv(write("again", 1), write("again", 2));
    kv(write("again", 1)); // older: skipped
    assertEquals(2, seqNr("again"));
    kv(deleted("again", 3));
    kv(deleted("again", 3)); // nothing left to delete
    assertEquals(List.of(), all("again", 10));
  }

  @Test
  void aLongKeyIsListedUnderItsRealKeyNotItsHashedPersistenceId() throws Exception {
    String longKey = "long/" + "x".repeat(400) + "é";
    kv(new EventEnvelope(Offset.sequence(++ordering), "kv|~" + "ab".repeat(32), 1,
        new KeyValueEntity.ValueWritten(longKey, new byte[1024], "text/plain", 1), 0L));
    assertEquals(List.of(longKey), all("long/", 10));
  }

  @Test
  void trimDropsTheValue() {
    KeyRows rows = new KeyRows();
    EventEnvelope trimmed = rows.trim(write("trim", 1));
    assertEquals(new KeyRows.Change("trim", true), trimmed.event());
    assertEquals(1, trimmed.sequenceNr());
    assertEquals("kv|trim", trimmed.persistenceId());
    assertNull(new EntityIdRows().trim(entityEvent("counter", "c", 1)).event());
  }

  @Test
  void entityIdsAreListedPerTypeOnceTheyHaveAnEvent() throws Exception {
    entities(entityEvent("counter", "c-2", 1), entityEvent("counter", "c-1", 1), entityEvent("counter", "c-1", 2),
        entityEvent("cart", "c-1", 1), entityEvent("counter", "a|b", 1), entityEvent("no-type", null, 1));
    entities(entityEvent("counter", "c-1", 3)); // already listed
    assertEquals(List.of("a|b", "c-1", "c-2"), ids("counter"));
    assertEquals(List.of(), ids("no-type"), "a persistence id without a type is not an entity");
    assertEquals(List.of("c-1"), ids("cart"));
    assertEquals(List.of("c-1", "c-2"), all("counter", "c-", 1));
  }

  @Test
  void upperBoundOfAPrefix() {
    assertNull(IdListing.upperBound(new byte[0]));
    assertArrayEquals(new byte[] {'a', 'c'}, IdListing.upperBound(new byte[] {'a', 'b'}));
    assertArrayEquals(new byte[] {'b'}, IdListing.upperBound(new byte[] {'a', (byte) 0xFF}));
    assertNull(IdListing.upperBound(new byte[] {(byte) 0xFF}));
  }

  // --- helpers ---

  private EventEnvelope write(String key, long seqNr) {
    return new EventEnvelope(Offset.sequence(++ordering), "kv|" + key, seqNr,
        new KeyValueEntity.ValueWritten(key, new byte[] {1}, "application/octet-stream", seqNr), 0L);
  }

  private EventEnvelope deleted(String key, long seqNr) {
    return new EventEnvelope(Offset.sequence(++ordering), "kv|" + key, seqNr,
        new KeyValueEntity.ValueDeleted(key, seqNr), 0L);
  }

  private EventEnvelope entityEvent(String type, String id, long seqNr) {
    return new EventEnvelope(Offset.sequence(++ordering), id == null ? type : type + "|" + id, seqNr, "event", 0L);
  }

  /** One projection batch of key-value events, trimmed as the projection would. */
  private void kv(EventEnvelope... batch) throws SQLException {
    KeyRows rows = new KeyRows();
    List<EventEnvelope> trimmed = Arrays.stream(batch).map(rows::trim).toList();
    database.inTransactionBlocking(connection -> {
      rows.process(connection, trimmed);
      return null;
    });
  }

  private void entities(EventEnvelope... batch) throws SQLException {
    EntityIdRows rows = new EntityIdRows();
    List<EventEnvelope> trimmed = Arrays.stream(batch).map(rows::trim).toList();
    database.inTransactionBlocking(connection -> {
      rows.process(connection, trimmed);
      return null;
    });
  }

  private IdListing.Page page(String prefix, String after, int limit) throws Exception {
    return page(IdListing.KV_TYPE, prefix, after, limit);
  }

  private IdListing.Page page(String type, String prefix, String after, int limit) throws Exception {
    return listing.list(type, prefix, after, limit).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private List<String> all(String prefix, int limit) throws Exception {
    return all(IdListing.KV_TYPE, prefix, limit);
  }

  private List<String> all(String type, String prefix, int limit) throws Exception {
    List<String> ids = new ArrayList<>();
    String after = null;
    do {
      IdListing.Page page = page(type, prefix, after, limit);
      ids.addAll(page.ids());
      after = page.next();
    } while (after != null);
    return ids;
  }

  private List<String> ids(String type) throws Exception {
    return all(type, "", 1000);
  }

  private long seqNr(String key) throws SQLException {
    return database.inTransactionBlocking(connection -> {
      try (var select = connection.prepareStatement(
          "SELECT seq_nr FROM colony_entity_ids WHERE type = 'kv' AND id = ?")) {
        select.setBytes(1, key.getBytes(StandardCharsets.UTF_8));
        try (var row = select.executeQuery()) {
          return row.next() ? row.getLong(1) : -1L;
        }
      }
    });
  }
}
