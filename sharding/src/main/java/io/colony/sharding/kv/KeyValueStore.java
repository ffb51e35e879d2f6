package io.colony.sharding.kv;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/** The key-value store as callers see it: one sharded {@link KeyValueEntity} per key. */
public final class KeyValueStore {

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  private KeyValueStore(ClusterSharding sharding, Duration askTimeout) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
  }

  /** Starts this node's part of the key-value entity type (its shard region). */
  public static KeyValueStore init(ActorSystem<?> system, Duration askTimeout) {
    Config settings = system.settings().config().getConfig("colony.sharding.kv");
    ClusterSharding sharding = ClusterSharding.get(system);
    long budget = io.colony.runtime.MemoryShare.bytes(settings, "live-value-budget");
    ActorRef<LiveValues.Command> liveValues = system.systemActorOf(LiveValues.create(budget), "kv-live-values",
        Props.empty());
    sharding.init(Entity.of(KeyValueEntity.ENTITY_KEY,
        ctx -> KeyValueEntity.create(ctx.getEntityId(), settings, ctx.getShard(), liveValues)));
    return new KeyValueStore(sharding, askTimeout);
  }

  public CompletionStage<KeyValueEntity.Reply> put(String key, byte[] value, String contentType, Precondition precondition) {
    return sharding.entityRefFor(KeyValueEntity.ENTITY_KEY, key)
        .ask(replyTo -> new KeyValueEntity.Put(value, contentType, precondition, replyTo), askTimeout);
  }

  public CompletionStage<KeyValueEntity.Reply> get(String key) {
    return sharding.entityRefFor(KeyValueEntity.ENTITY_KEY, key).ask(KeyValueEntity.Get::new, askTimeout);
  }

  public CompletionStage<KeyValueEntity.Reply> delete(String key, Precondition precondition) {
    return sharding.entityRefFor(KeyValueEntity.ENTITY_KEY, key)
        .ask(replyTo -> new KeyValueEntity.Delete(precondition, replyTo), askTimeout);
  }
}
