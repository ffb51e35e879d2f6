package io.colony.sharding.kv;

import com.typesafe.config.Config;
import io.colony.persistence.CborSerializable;
import java.time.Duration;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One key of the key-value store: a sharded, event-sourced entity whose journal makes every
 * acknowledged write durable and lets any node take the key over. Replies are sent only after
 * the event is in the journal.
 */
public final class KeyValueEntity
    extends EventSourcedBehaviorWithEnforcedReplies<KeyValueEntity.Command, KeyValueEntity.Event, KeyValueState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "kv");
  /** Every event carries this tag; the read-side key index follows it. */
  public static final String TAG = "kv";

  // --- protocol ---

  /** What the store asks of a key. */
  public sealed interface Command extends CborSerializable permits Put, Get, Delete, Evict {}

  public record Put(byte[] value, String contentType, Precondition precondition, ActorRef<Reply> replyTo)
      implements Command {}

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  public record Delete(Precondition precondition, ActorRef<Reply> replyTo) implements Command {}

  /** From {@link LiveValues}: the node holds too many value bytes; this key should leave memory. */
  public enum Evict implements Command {
    INSTANCE
  }

  /** Every answer a key gives. */
  public sealed interface Reply extends CborSerializable
      permits Written, Found, NotFound, Deleted, PreconditionFailed {}

  public record Written(long version) implements Reply {}

  public record Found(byte[] value, String contentType, long version) implements Reply {}

  public record NotFound(long version) implements Reply {}

  public record Deleted(long version) implements Reply {}

  public record PreconditionFailed(boolean exists, long currentVersion) implements Reply {}

  /**
   * What is journaled. The key is in every event so the read side needs no persistence-id
   * parsing. To evolve: add fields as nullable (old events read them as null), never rename
   * or remove one; a real change of shape gets a new event record and both stay readable.
   */
  public sealed interface Event extends CborSerializable permits ValueWritten, ValueDeleted {}

  public record ValueWritten(String key, byte[] value, String contentType, long version) implements Event {}

  public record ValueDeleted(String key, long version) implements Event {}

  // --- behaviour ---

  /** Longer keys get a hashed persistence id: the journal's persistence_id column holds 255 characters. */
  static final int MAX_PLAIN_ID_KEY_LENGTH = 200;

  private final String key;
  private final int snapshotEvery;
  private final int keepSnapshots;
  private final ActorRef<Command> self;
  /** Null outside sharding (unit tests): then nothing is reported and nothing evicts. */
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorRef<LiveValues.Command> liveValues;

  private KeyValueEntity(String key, Config settings, ActorRef<Command> self,
      ActorRef<ClusterSharding.ShardCommand> shard, ActorRef<LiveValues.Command> liveValues) {
    super(
        persistenceIdOf(key),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1));
    this.key = key;
    this.snapshotEvery = settings.getInt("snapshot-every");
    this.keepSnapshots = settings.getInt("keep-snapshots");
    this.self = self;
    this.shard = shard;
    this.liveValues = liveValues;
  }

  /** A key outside sharding (tests): no memory budget. */
  public static Behavior<Command> create(String key, Config settings) {
    return Behaviors.setup(context -> new KeyValueEntity(key, settings, context.getSelf(), null, null));
  }

  /** A key in its shard, reporting the bytes it holds to the node's {@link LiveValues}. */
  public static Behavior<Command> create(String key, Config settings, ActorRef<ClusterSharding.ShardCommand> shard,
      ActorRef<LiveValues.Command> liveValues) {
    return Behaviors.setup(context -> new KeyValueEntity(key, settings, context.getSelf(), shard, liveValues));
  }

  /**
   * {@code kv|<key>}, or {@code kv|~<sha-256 of the key>} for keys too long for the journal's
   * column and for keys that start with {@code ~} (so the two forms never collide).
   */
  static PersistenceId persistenceIdOf(String key) {
    if (key.length() <= MAX_PLAIN_ID_KEY_LENGTH && !key.startsWith("~")) {
      // ofUniqueId: keys may contain the separator '|', which PersistenceId.of rejects.
      return PersistenceId.ofUniqueId(ENTITY_KEY.name() + "|" + key);
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return PersistenceId.ofUniqueId(ENTITY_KEY.name() + "|~" + java.util.HexFormat.of().formatHex(digest));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }

  @Override
  public KeyValueState emptyState() {
    return KeyValueState.EMPTY;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, KeyValueState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Put.class, this::onPut)
        .onCommand(Get.class, this::onGet)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Evict.class, this::onEvict)
        .build();
  }

  private ReplyEffect<Event, KeyValueState> onEvict(KeyValueState state, Evict evict) {
    if (shard != null) {
      shard.tell(new ClusterSharding.Passivate<>(self));
    }
    return Effect().noReply();
  }

  private void reportHeld(KeyValueState state) {
    if (liveValues != null) {
      liveValues.tell(new LiveValues.Holds(self, state.value() == null ? 0 : state.value().length));
    }
  }

  private ReplyEffect<Event, KeyValueState> onPut(KeyValueState state, Put put) {
    if (!put.precondition().holdsFor(state)) {
      return Effect().reply(put.replyTo(), new PreconditionFailed(state.exists(), state.version()));
    }
    return Effect()
        .persist(new ValueWritten(key, put.value(), put.contentType(), state.version() + 1))
        .thenRun(this::reportHeld)
        .thenReply(put.replyTo(), written -> new Written(written.version()));
  }

  private ReplyEffect<Event, KeyValueState> onGet(KeyValueState state, Get get) {
    Reply reply = state.exists()
        ? new Found(state.value(), state.contentType(), state.version())
        : new NotFound(state.version());
    return Effect().reply(get.replyTo(), reply);
  }

  private ReplyEffect<Event, KeyValueState> onDelete(KeyValueState state, Delete delete) {
    if (!delete.precondition().holdsFor(state)) {
      return Effect().reply(delete.replyTo(), new PreconditionFailed(state.exists(), state.version()));
    }
    if (!state.exists()) {
      // Deleting an absent key changes nothing and succeeds: DELETE is idempotent.
      return Effect().reply(delete.replyTo(), new Deleted(state.version()));
    }
    return Effect()
        .persist(new ValueDeleted(key, state.version() + 1))
        .thenRun(this::reportHeld)
        .thenReply(delete.replyTo(), deleted -> new Deleted(deleted.version()));
  }

  @Override
  public EventHandler<KeyValueState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(KeyValueState::apply);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // A key overwritten a million times recovers from its latest snapshot plus a short tail.
    return RetentionCriteria.snapshotEvery(snapshotEvery, keepSnapshots).withDeleteEventsOnSnapshot();
  }

  @Override
  public SignalHandler<KeyValueState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::reportHeld)
        .onSignal(PostStop.instance(), state -> {
          if (liveValues != null) {
            liveValues.tell(new LiveValues.Released(self));
          }
        })
        .build();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }
}
