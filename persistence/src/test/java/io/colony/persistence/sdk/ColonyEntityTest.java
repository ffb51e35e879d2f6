package io.colony.persistence.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.colony.persistence.CborSerializable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The SDK's base class, command handlers, context and messages, with a tiny test entity on the in-memory journal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class ColonyEntityTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(EventSourcedBehaviorTestKit.config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("colony.persistence.entities.types.tally { snapshot-every = 3, keep-snapshots = 1 }"))
      .withFallback(ConfigFactory.load())).build();
  private final AtomicInteger passivations = new AtomicInteger();
  private final CommandCodec codec = CommandCodec.get(testKit.system());


  private EventSourcedBehaviorTestKit<EntityMessage, Tally.Event, Tally.State> tally(String id) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), Behaviors.setup(ctx -> Tally.create(
        EntityContext.create(ctx, Tally.TYPE, id, Tally.Command.class, this::noRefs, passivations::incrementAndGet))));
  }

  private RecipientRef<EntityMessage> noRefs(String type, String id) {
    throw new IllegalArgumentException("no entity type '" + type + "'");
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<EntityMessage, Tally.Event, Tally.State, StatusReply<CborSerializable>>
      send(EventSourcedBehaviorTestKit<EntityMessage, Tally.Event, Tally.State> entity, CborSerializable command) {
    return entity.runCommand(replyTo -> new EntityMessage.Envelope(codec.encode(command), replyTo));
  }

  @Test
  void aHandledCommandIsPersistedThenAnsweredWithSuccess() {
    var marked = send(tally("a"), new Tally.Mark(2));
    assertEquals(new Tally.Marked(2), marked.event());
    assertEquals(StatusReply.success(new Tally.Marks(2)), marked.reply());
  }

  @Test
  void aRefusalIsAnErrorReplyWithTheReasonAndPersistsNothing() {
    var refused = send(tally("b"), new Tally.Mark(0));
    assertTrue(refused.hasNoEvents());
    assertEquals("times must be at least 1", refused.reply().getError().getMessage());
    assertInstanceOf(StatusReply.ErrorMessage.class, refused.reply().getError());
  }

  @Test
  void aCommandWithNoHandlerInTheCurrentStateIsUnsupportedAndPersistsNothing() {
    var entity = tally("c");
    send(entity, new Tally.Mark(1));
    send(entity, new Tally.Seal());
    var late = send(entity, new Tally.Mark(1));
    assertTrue(late.hasNoEvents());
    UnsupportedCommandException error = assertInstanceOf(UnsupportedCommandException.class, late.reply().getError());
    assertEquals("'tally' entities in state Closed do not handle Mark", error.getMessage());
    assertEquals(new Tally.Closed(1), late.state());
  }

  @Test
  void aHandlerForAnyStateAnswersInEveryState() {
    var entity = tally("d");
    send(entity, new Tally.Mark(4));
    send(entity, new Tally.Seal());
    assertEquals(StatusReply.success(new Tally.Marks(4)), send(entity, new Tally.Peek()).reply());
  }

  @Test
  void aCommandOfAnotherTypeIsUnsupported() {
    var stranger = send(tally("e"), new Tally.Stranger("x"));
    assertTrue(stranger.hasNoEvents());
    UnsupportedCommandException error = assertInstanceOf(UnsupportedCommandException.class, stranger.reply().getError());
    assertTrue(error.getMessage().startsWith("'tally' entities do not understand the command"), error.getMessage());
  }

  @Test
  void anEnvelopeCarriesTheCommandByItsTypeNameNotItsClass() {
    assertEquals("{\"type\":\"mark\",\"times\":3}", codec.encode(new Tally.Mark(3)).toString());
  }

  @Test
  void aCommandTheEntitySendsItselfReachesItsHandler() {
    var entity = tally("f");
    send(entity, new Tally.Defer(3));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> send(entity, new Tally.Peek()).reply().equals(StatusReply.success(new Tally.Marks(3))));
    assertEquals(new Tally.Counting(3), entity.getState());
  }

  @Test
  void aCommandTheEntitySendsItselfWithNoHandlerInTheCurrentStateIsLoggedAndDropped() {
    var entity = tally("f2");
    send(entity, new Tally.Mark(1));
    send(entity, new Tally.Seal());
    LoggingTestKit.error("'tally' entities in state Closed do not handle Note; the command is dropped")
        .expect(testKit.system(), () -> send(entity, new Tally.Defer(3)));
    assertEquals(new Tally.Closed(1), entity.getState());
    assertEquals(2, PersistenceTestKit.create(testKit.system()).persistedInStorage("tally|f2").size());
  }

  @Test
  void getStateShowsTheView() {
    var entity = tally("g");
    send(entity, new Tally.Mark(5));
    assertEquals(StatusReply.success(new Tally.Marks(5)),
        entity.<StatusReply<CborSerializable>>runCommand(EntityMessage.GetState::new).reply());
  }

  @Test
  void getStateOfAnEntityWhoseViewIsNullIsASuccessWithoutValue() {
    StatusReply<CborSerializable> absent =
        tally("h").<StatusReply<CborSerializable>>runCommand(EntityMessage.GetState::new).reply();
    assertTrue(absent.isSuccess());
    assertNull(absent.getValue());
  }

  @Test
  void persistenceIdIsTypeAndIdAndRetentionComesFromTheTypesSettings() {
    var entity = tally("i");
    for (int i = 0; i < 7; i++) {
      send(entity, new Tally.Mark(1));
    }
    // snapshot-every = 3, keep-snapshots = 1 (types.tally): at the snapshot after event 6, events 1..3 are deleted
    SnapshotTestKit snapshots = SnapshotTestKit.create(testKit.system());
    assertEquals(List.of(new Tally.Counting(3), new Tally.Counting(6)),
        snapshots.persistedInStorage("tally|i").stream().map(p -> p.second()).toList());
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    assertEquals(4, journal.persistedInStorage("tally|i").size());
    assertEquals(new Tally.Counting(7), entity.restart().state());
  }

  @Test
  void settingsLayTheTypeOverTheDefaults() {
    Config config = testKit.system().settings().config();
    Config tally = EntityContext.settingsFor(config, "tally");
    assertEquals(3, tally.getInt("snapshot-every"));
    assertEquals(Duration.ofSeconds(5), tally.getDuration("ask-timeout"));
    assertEquals(100, EntityContext.settingsFor(config, "other").getInt("snapshot-every"));
  }

  /** A context whose other entities are one probe, of type "other". */
  private EntityContext<Tally.Command> contextWith(TestProbe<EntityMessage> other) {
    AtomicReference<EntityContext<Tally.Command>> captured = new AtomicReference<>();
    testKit.spawn(Behaviors.<EntityMessage>setup(ctx -> {
      captured.set(EntityContext.create(ctx, Tally.TYPE, "j", Tally.Command.class, (type, id) -> {
        if (!type.equals("other")) {
          throw new IllegalArgumentException("no entity type '" + type + "'");
        }
        return other.ref();
      }, passivations::incrementAndGet));
      return Behaviors.empty();
    }));
    org.awaitility.Awaitility.await().until(() -> captured.get() != null);
    return captured.get();
  }

  @Test
  void askSendsTheCommandAndCompletesWithTheValueOfASuccess() throws Exception {
    TestProbe<EntityMessage> other = testKit.createTestProbe();
    CompletableFuture<CborSerializable> answer = contextWith(other).ask("other", "x", new Tally.Mark(1)).toCompletableFuture();
    EntityMessage.Envelope received = other.expectMessageClass(EntityMessage.Envelope.class);
    assertEquals(new Tally.Mark(1), codec.decode(received.command(), Tally.Command.class));
    received.replyTo().tell(StatusReply.success(new Tally.Marks(9)));
    assertEquals(new Tally.Marks(9), answer.get(3, TimeUnit.SECONDS));
  }

  @Test
  void askFailsWithTheReasonOfARefusal() {
    TestProbe<EntityMessage> other = testKit.createTestProbe();
    CompletableFuture<CborSerializable> answer = contextWith(other).ask("other", "x", new Tally.Mark(1)).toCompletableFuture();
    other.expectMessageClass(EntityMessage.Envelope.class).replyTo().tell(StatusReply.error("no"));
    ExecutionException refused = assertThrows(ExecutionException.class, () -> answer.get(3, TimeUnit.SECONDS));
    assertEquals(new StatusReply.ErrorMessage("no"), refused.getCause());
  }

  @Test
  void askOfAnUnknownTypeFailsAtOnce() {
    ExecutionException unknown = assertThrows(ExecutionException.class, () -> contextWith(testKit.createTestProbe())
        .ask("nobody", "x", new Tally.Peek()).toCompletableFuture().get(3, TimeUnit.SECONDS));
    assertInstanceOf(IllegalArgumentException.class, unknown.getCause());
  }

  @Test
  void passivateCallsSharding() {
    EntityContext<Tally.Command> context = contextWith(testKit.createTestProbe());
    assertEquals("tally|j", context.persistenceId().id());
    int before = passivations.get();
    context.passivate();
    assertEquals(before + 1, passivations.get());
  }

  private Object roundTrip(Object message) {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    byte[] bytes = serialization.serialize(message).get();
    return serialization.deserialize(bytes, serialization.findSerializerFor(message).identifier(),
        org.apache.pekko.serialization.Serializers.manifestFor(serialization.findSerializerFor(message), message)).get();
  }

  @Test
  void envelopesAndStateRequestsSurviveSerialization() {
    var ref = testKit.<StatusReply<CborSerializable>>createTestProbe().ref();
    var envelope = new EntityMessage.Envelope(codec.encode(new Tally.Mark(3)), ref);
    assertEquals(envelope, roundTrip(envelope));
    assertEquals(new EntityMessage.GetState(ref), roundTrip(new EntityMessage.GetState(ref)));
  }

  @Test
  void successRepliesCarryTheirValueAcrossNodes() {
    assertEquals(StatusReply.success(new Tally.Marks(4)), roundTrip(StatusReply.success(new Tally.Marks(4))));
    StatusReply<?> absent = (StatusReply<?>) roundTrip(StatusReply.success(null));
    assertTrue(absent.isSuccess());
    assertNull(absent.getValue());
  }

  @Test
  void refusalsCarryTheirReasonAcrossNodes() {
    StatusReply<?> refused = (StatusReply<?>) roundTrip(StatusReply.error("no"));
    assertEquals(new StatusReply.ErrorMessage("no"), refused.getError());
  }

  @Test
  void anUnsupportedCommandKeepsItsKindAndMessageAcrossNodes() {
    StatusReply<?> reply = (StatusReply<?>) roundTrip(StatusReply.error(new UnsupportedCommandException("not here")));
    assertFalse(reply.isSuccess());
    assertEquals("not here", assertInstanceOf(UnsupportedCommandException.class, reply.getError()).getMessage());
  }
}
