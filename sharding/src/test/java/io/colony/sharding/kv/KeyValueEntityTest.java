package io.colony.sharding.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.colony.sharding.kv.KeyValueEntity.Command;
import io.colony.sharding.kv.KeyValueEntity.Deleted;
import io.colony.sharding.kv.KeyValueEntity.Event;
import io.colony.sharding.kv.KeyValueEntity.Found;
import io.colony.sharding.kv.KeyValueEntity.NotFound;
import io.colony.sharding.kv.KeyValueEntity.PreconditionFailed;
import io.colony.sharding.kv.KeyValueEntity.Reply;
import io.colony.sharding.kv.KeyValueEntity.ValueDeleted;
import io.colony.sharding.kv.KeyValueEntity.ValueWritten;
import io.colony.sharding.kv.KeyValueEntity.Written;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The key entity's rules, on the in-memory journal; every command, event and state is round-tripped through CBOR. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class KeyValueEntityTest {

  private static final Config SETTINGS = ConfigFactory.parseString("snapshot-every = 5\nkeep-snapshots = 2")
      .withFallback(ConfigFactory.load().getConfig("colony.sharding.kv"));

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(EventSourcedBehaviorTestKit.config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.load())).build();
  private EventSourcedBehaviorTestKit<Command, Event, KeyValueState> entity;
  private int keyNumber;

  @BeforeEach
  void freshKey() {
    entity = EventSourcedBehaviorTestKit.create(testKit.system(), KeyValueEntity.create("key-" + keyNumber++, SETTINGS));
  }


  private EventSourcedBehaviorTestKit.CommandResultWithReply<Command, Event, KeyValueState, Reply> put(String value, Precondition precondition) {
    return entity.runCommand(replyTo -> new KeyValueEntity.Put(bytes(value), "text/plain", precondition, replyTo));
  }

  private Reply get() {
    return entity.<Reply>runCommand(KeyValueEntity.Get::new).reply();
  }

  private Reply delete(Precondition precondition) {
    return entity.<Reply>runCommand(replyTo -> new KeyValueEntity.Delete(precondition, replyTo)).reply();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void writesCountVersionsAndReadBackBytesAndType() {
    var first = put("one", Precondition.NONE);
    assertEquals(new Written(1), first.reply());
    assertInstanceOf(ValueWritten.class, first.event());
    assertEquals(new Written(2), put("two", Precondition.NONE).reply());

    Found found = assertInstanceOf(Found.class, get());
    assertArrayEquals(bytes("two"), found.value());
    assertEquals("text/plain", found.contentType());
    assertEquals(2, found.version());
  }

  @Test
  void absentKeyIsNotFound() {
    assertEquals(new NotFound(0), get());
  }

  @Test
  void ifMatchIsCompareAndSet() {
    put("a", Precondition.NONE);
    var stale = put("b", Precondition.versionIs(7));
    assertEquals(new PreconditionFailed(true, 1), stale.reply());
    assertTrue(stale.hasNoEvents(), "a failed precondition persists nothing");

    assertEquals(new Written(2), put("b", Precondition.versionIs(1)).reply());
  }

  @Test
  void ifMatchAnyNeedsAnExistingKey() {
    assertEquals(new PreconditionFailed(false, 0), put("x", Precondition.exists()).reply());
    put("x", Precondition.NONE);
    assertEquals(new Written(2), put("y", Precondition.exists()).reply());
  }

  @Test
  void ifNoneMatchAnyIsCreateOnly() {
    assertEquals(new Written(1), put("first", Precondition.absent()).reply());
    var second = put("second", Precondition.absent());
    assertEquals(new PreconditionFailed(true, 1), second.reply());
    assertTrue(second.hasNoEvents());
    assertArrayEquals(bytes("first"), ((Found) get()).value());
  }

  @Test
  void deleteIsIdempotentAndVersionsNeverRepeat() {
    put("v", Precondition.NONE);
    var deleted = entity.<Reply>runCommand(replyTo -> new KeyValueEntity.Delete(Precondition.NONE, replyTo));
    assertEquals(new Deleted(2), deleted.reply());
    assertEquals(2, ((ValueDeleted) deleted.event()).version());

    var again = entity.<Reply>runCommand(replyTo -> new KeyValueEntity.Delete(Precondition.NONE, replyTo));
    assertEquals(new Deleted(2), again.reply());
    assertTrue(again.hasNoEvents(), "deleting an absent key persists nothing");
    assertEquals(new NotFound(2), get());

    // a new write after a delete gets a fresh version, so an old ETag can never match again
    assertEquals(new Written(3), put("w", Precondition.NONE).reply());
  }

  @Test
  void deleteHonoursIfMatch() {
    put("v", Precondition.NONE);
    assertEquals(new PreconditionFailed(true, 1), delete(Precondition.versionIs(9)));
    assertInstanceOf(Found.class, get());
    assertEquals(new Deleted(2), delete(Precondition.versionIs(1)));
    assertEquals(new PreconditionFailed(false, 2), delete(Precondition.versionIs(2)));
  }

  @Test
  void recoversTheSameStateAfterARestart() {
    for (int i = 1; i <= 12; i++) {
      put("value-" + i, Precondition.NONE);
    }
    delete(Precondition.NONE);
    put("last", Precondition.NONE);

    var restarted = entity.restart();
    KeyValueState state = restarted.state();
    assertEquals(14, state.version());
    assertArrayEquals(bytes("last"), state.value());
  }

  @Test
  void snapshotsAndRetentionKeepTheJournalShort() {
    String key = "retained";
    var keyed = EventSourcedBehaviorTestKit.<Command, Event, KeyValueState>create(
        testKit.system(), KeyValueEntity.create(key, SETTINGS));
    for (int i = 1; i <= 23; i++) {
      int n = i;
      keyed.<Reply>runCommand(replyTo -> new KeyValueEntity.Put(bytes("v" + n), "text/plain", Precondition.NONE, replyTo));
    }
    String persistenceId = KeyValueEntity.persistenceIdOf(key).id();
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    SnapshotTestKit snapshots = SnapshotTestKit.create(testKit.system());

    // Snapshots at 5, 10, 15, 20. At 20 Pekko deletes what lies below 20 - 2 x 5 = 10:
    // snapshot 5 and events 1..10 are gone, so the journal stays within a few snapshot intervals.
    List<Long> snapshotVersions = snapshots.persistedInStorage(persistenceId).stream()
        .map(pair -> ((KeyValueState) pair.second()).version()).collect(Collectors.toList());
    assertEquals(List.of(10L, 15L, 20L), snapshotVersions);
    List<Long> eventVersions = journal.persistedInStorage(persistenceId).stream()
        .map(e -> ((ValueWritten) e).version()).collect(Collectors.toList());
    assertEquals(11L, eventVersions.get(0), eventVersions.toString());
    assertEquals(23L, eventVersions.get(eventVersions.size() - 1));

    KeyValueState recovered = keyed.restart().state();
    assertEquals(23, recovered.version());
    assertArrayEquals(bytes("v23"), recovered.value());
    assertFalse(recovered.contentType().isEmpty());
  }

  @Test
  void persistenceIdsFitTheJournalColumnAndNeverCollide() {
    assertEquals("kv|a|b c", KeyValueEntity.persistenceIdOf("a|b c").id());
    String longKey = "é".repeat(512 / 2);
    String hashed = KeyValueEntity.persistenceIdOf(longKey).id();
    assertTrue(hashed.startsWith("kv|~") && hashed.length() <= 255, hashed);
    assertEquals(hashed, KeyValueEntity.persistenceIdOf(longKey).id());
    // a short key that looks like a hashed id is hashed as well
    String lookalike = hashed.substring(3);
    assertTrue(KeyValueEntity.persistenceIdOf(lookalike).id().startsWith("kv|~"));
    assertFalse(KeyValueEntity.persistenceIdOf(lookalike).id().equals(hashed));
  }
}
