package io.colony.sharding.entities;

import io.colony.persistence.CborSerializable;
import com.fasterxml.jackson.databind.JsonNode;
import io.colony.persistence.sdk.CommandCodec;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityType;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user entity types as callers see them: one sharded entity type per registered
 * {@link EntityType}, with {@link EntityTypeKey} named after the type. Entities reach each
 * other through the same sharding (see {@link EntityContext#entityRef}).
 */
public final class UserEntities {

  private static final Logger log = LoggerFactory.getLogger(UserEntities.class);

  private final ClusterSharding sharding;
  private final EntityRegistry registry;
  private final Map<String, EntityTypeKey<EntityMessage>> keys;
  private final Duration askTimeout;
  private final CommandCodec codec;

  private UserEntities(ClusterSharding sharding, EntityRegistry registry, Map<String, EntityTypeKey<EntityMessage>> keys,
      Duration askTimeout, CommandCodec codec) {
    this.sharding = sharding;
    this.codec = codec;
    this.registry = registry;
    this.keys = keys;
    this.askTimeout = askTimeout;
  }

  /** Starts this node's part (shard region) of every registered type. */
  public static UserEntities init(ActorSystem<?> system, EntityRegistry registry, Duration askTimeout) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Map<String, EntityTypeKey<EntityMessage>> keys = new LinkedHashMap<>();
    for (EntityType<?> type : registry.types()) {
      keys.put(type.name(), EntityTypeKey.create(EntityMessage.class, type.name()));
    }
    UserEntities entities = new UserEntities(sharding, registry, keys, askTimeout, CommandCodec.get(system));
    for (EntityType<?> type : registry.types()) {
      ClusterShardingSettings settings = ClusterShardingSettings.create(system);
      if (type.rememberEntities()) {
        // The journal remembers which entities run, so they survive a full cluster restart too.
        settings = settings.withRememberEntities(true)
            .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced());
      }
      sharding.init(Entity.of(keys.get(type.name()), ctx -> entities.behavior(type, ctx)).withSettings(settings));
    }
    if (!registry.names().isEmpty()) {
      log.info("User entity types: {}", registry.names());
    }
    return entities;
  }

  private <C extends CborSerializable> Behavior<EntityMessage> behavior(EntityType<C> type,
      org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext<EntityMessage> shardContext) {
    String id = shardContext.getEntityId();
    return Behaviors.withMdc(EntityMessage.class, Map.of("entityType", type.name(), "entityId", id),
        Behaviors.setup(actorContext -> type.create(EntityContext.create(actorContext, type.name(), id,
            type.commandClass(), this::entityRef,
            () -> shardContext.getShard().tell(new ClusterSharding.Passivate<>(actorContext.getSelf()))))));
  }

  public EntityRegistry registry() {
    return registry;
  }

  /** The sharding keys of every user type, for shard placement. */
  public List<EntityTypeKey<?>> keys() {
    return List.copyOf(keys.values());
  }

  /**
   * The entity {@code id} of type {@code type}.
   *
   * @throws IllegalArgumentException when no such type is registered
   */
  public EntityRef<EntityMessage> entityRef(String type, String id) {
    EntityTypeKey<EntityMessage> key = keys.get(type);
    if (key == null) {
      throw new IllegalArgumentException("No entity type '" + type + "'; registered: " + registry.names());
    }
    return sharding.entityRefFor(key, id);
  }

  /**
   * Sends a command and completes with the value of the entity's {@code StatusReply.success}. Fails
   * with {@link org.apache.pekko.pattern.StatusReply.ErrorMessage} when the entity refuses,
   * {@link io.colony.persistence.sdk.UnsupportedCommandException} when it does not handle the
   * command in its state, or {@link java.util.concurrent.TimeoutException} after the ask timeout.
   */
  public CompletionStage<CborSerializable> command(String type, String id, CborSerializable command) {
    JsonNode tree = codec.encode(command);
    return entityRef(type, id).askWithStatus(replyTo -> new EntityMessage.Envelope(tree, replyTo), askTimeout);
  }

  /** Reads the entity's state as its view shows it ({@code null} when it does not exist). */
  public CompletionStage<CborSerializable> state(String type, String id) {
    return entityRef(type, id).askWithStatus(EntityMessage.GetState::new, askTimeout);
  }
}
