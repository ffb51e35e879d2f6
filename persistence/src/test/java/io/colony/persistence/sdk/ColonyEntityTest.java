package io.colony.persistence.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The SDK's base class, context and messages, with a tiny test entity on the in-memory journal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ColonyEntityTest {

  private final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("colony.persistence.entities.types.tally { snapshot-every = 3, keep-snapshots = 1 }"))
      .withFallback(ConfigFactory.load()));
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger passivations = new AtomicInteger();

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  private EventSourcedBehaviorTestKit<EntityMessage, Tally.Event, Tally.State> tally(String id) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), Behaviors.setup(ctx -> Tally.create(
        EntityContext.create(ctx, Tally.TYPE, id, Tally.Command.class, this::noRefs, passivations::incrementAndGet))));
  }

  private org.apache.pekko.actor.typed.RecipientRef<EntityMessage> noRefs(String type, String id) {
    throw new IllegalArgumentException("no entity type '" + type + "'");
  }

  private static EntityReply command(EventSourcedBehaviorTestKit<EntityMessage, Tally.Event, Tally.State> entity,
      Object command) {
    return entity.<EntityReply>runCommand(replyTo -> new EntityMessage.Envelope((io.colony.persistence.CborSerializable) command, replyTo))
        .reply();
  }

  @Test
  void unwrapsCommandsPersistsThenRepliesAndRejectsWithoutEvents() {
    var entity = tally("a");
    var marked = entity.<EntityReply>runCommand(replyTo -> new EntityMessage.Envelope(new Tally.Mark(2), replyTo));
    assertEquals(EntityReply.ok(new Tally.Marks(2)), marked.reply());
    assertEquals(new Tally.Marked(2), marked.event());

    var rejected = entity.<EntityReply>runCommand(replyTo -> new EntityMessage.Envelope(new Tally.Mark(0), replyTo));
    assertEquals(EntityReply.rejected("times must be at least 1"), rejected.reply());
    assertTrue(rejected.hasNoEvents());
    assertEquals(EntityReply.ok(new Tally.Marks(2)), command(entity, new Tally.Peek()));
  }

  @Test
  void aCommandOfAnotherTypeIsRejected() {
    EntityReply reply = command(tally("b"), new Tally.Stranger("x"));
    assertEquals("'tally' entities do not understand Stranger", assertInstanceOf(EntityReply.Rejected.class, reply).reason());
  }

  @Test
  void getStateShowsTheViewAndNullMeansAbsent() {
    var entity = tally("c");
    assertEquals(new EntityReply.Ok(null), entity.<EntityReply>runCommand(EntityMessage.GetState::new).reply());
    command(entity, new Tally.Mark(5));
    assertEquals(EntityReply.ok(new Tally.Marks(5)), entity.<EntityReply>runCommand(EntityMessage.GetState::new).reply());
  }

  @Test
  void persistenceIdIsTypeAndIdAndRetentionComesFromTheTypesSettings() {
    var entity = tally("d");
    for (int i = 0; i < 7; i++) {
      command(entity, new Tally.Mark(1));
    }
    // snapshot-every = 3, keep-snapshots = 1 (types.tally): at the snapshot after event 6, events 1..3 are deleted
    SnapshotTestKit snapshots = SnapshotTestKit.create(testKit.system());
    assertEquals(List.of(new Tally.State(3), new Tally.State(6)),
        snapshots.persistedInStorage("tally|d").stream().map(p -> p.second()).toList());
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    assertEquals(4, journal.persistedInStorage("tally|d").size());
    assertEquals(new Tally.State(7), entity.restart().state());
  }

  @Test
  void settingsLayTheTypeOverTheDefaults() {
    Config config = testKit.system().settings().config();
    Config tally = EntityContext.settingsFor(config, "tally");
    assertEquals(3, tally.getInt("snapshot-every"));
    assertEquals(Duration.ofSeconds(5), tally.getDuration("ask-timeout"));
    assertEquals(100, EntityContext.settingsFor(config, "other").getInt("snapshot-every"));
  }

  @Test
  void askReachesOtherEntitiesAndPassivateCallsSharding() throws Exception {
    TestProbe<EntityMessage> other = testKit.createTestProbe();
    AtomicReference<EntityContext<Tally.Command>> captured = new AtomicReference<>();
    testKit.spawn(Behaviors.<EntityMessage>setup(ctx -> {
      captured.set(EntityContext.create(ctx, Tally.TYPE, "e", Tally.Command.class,
          (type, id) -> {
            if (!type.equals("other")) {
              throw new IllegalArgumentException("no entity type '" + type + "'");
            }
            return other.ref();
          },
          passivations::incrementAndGet));
      return Behaviors.empty();
    }));
    org.awaitility.Awaitility.await().until(() -> captured.get() != null);
    EntityContext<Tally.Command> context = captured.get();
    assertEquals("tally|e", context.persistenceId().id());

    CompletableFuture<EntityReply> answer = context.ask("other", "x", new Tally.Mark(1)).toCompletableFuture();
    EntityMessage.Envelope received = other.expectMessageClass(EntityMessage.Envelope.class);
    assertEquals(new Tally.Mark(1), received.command());
    received.replyTo().tell(EntityReply.ok(new Tally.Marks(9)));
    assertEquals(EntityReply.ok(new Tally.Marks(9)), answer.get(3, TimeUnit.SECONDS));

    ExecutionException unknown = assertThrows(ExecutionException.class,
        () -> context.ask("nobody", "x", new Tally.Peek()).toCompletableFuture().get(3, TimeUnit.SECONDS));
    assertInstanceOf(IllegalArgumentException.class, unknown.getCause());

    int before = passivations.get();
    context.passivate();
    assertEquals(before + 1, passivations.get());
  }

  @Test
  void envelopesAndRepliesSurviveCbor() {
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    ActorRef<EntityReply> ref = testKit.<EntityReply>createTestProbe().ref();
    serialization.verifySerialization(new EntityMessage.Envelope(new Tally.Mark(3), ref), true);
    serialization.verifySerialization(new EntityMessage.Envelope(new Tally.Peek(), ref), true);
    serialization.verifySerialization(new EntityMessage.GetState(ref), true);
    serialization.verifySerialization(EntityReply.ok(new Tally.Marks(4)), true);
    serialization.verifySerialization(new EntityReply.Ok(null), true);
    serialization.verifySerialization(EntityReply.rejected("no"), true);
  }

  @Test
  void aCommandFromTheWireMustBeCborSerializable() {
    ObjectMapper cbor = JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode reply = cbor.createObjectNode();
    reply.putObject("value").put("@class", "java.lang.ProcessBuilder");
    Exception refused = assertThrows(Exception.class, () -> cbor.treeToValue(reply, EntityReply.Ok.class));
    assertTrue(refused.getMessage().contains("Not a subtype"), refused.getMessage());
  }
}
