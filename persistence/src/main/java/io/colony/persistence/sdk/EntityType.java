package io.colony.persistence.sdk;

import io.colony.persistence.CborSerializable;
import org.apache.pekko.actor.typed.Behavior;

/**
 * Declares one entity type. Implementations are found with {@link java.util.ServiceLoader}:
 * list the class in {@code META-INF/services/io.colony.persistence.sdk.EntityType}; it needs a
 * public no-argument constructor.
 *
 * <pre>{@code
 * public final class CounterType implements EntityType<Counter.Command> {
 *   public String name() { return "counter"; }
 *   public Class<Counter.Command> commandClass() { return Counter.Command.class; }
 *   public Behavior<EntityMessage> create(EntityContext<Counter.Command> context) { return new Counter(context); }
 * }
 * }</pre>
 *
 * <p>Snapshots and retention come from {@code colony.persistence.entities} (see
 * {@link EntityContext#settings()}); a behaviour may override
 * {@link ColonyEntity#retentionCriteria()}.
 *
 * @param <C> the type's command interface
 */
public interface EntityType<C extends CborSerializable> {

  /**
   * The type's name: the {@code {type}} of {@code /v1/entities/{type}/{id}}, the sharding
   * entity type key and the prefix of every persistence id. Lower-case letters, digits,
   * {@code -} and {@code _}, starting with a letter, at most 40 characters. Never change it
   * once entities are journaled: it is part of their persistence ids.
   */
  String name();

  /**
   * The command interface. HTTP bodies are read as this type, so it names its commands for
   * JSON with {@code @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")} and
   * {@code @JsonSubTypes}. Commands an entity only sends to itself may implement it without
   * being listed there.
   */
  Class<C> commandClass();

  /**
   * The behaviour of one entity, usually {@code new MyEntity(context)} of a
   * {@link ColonyEntity}. Called once per entity incarnation, inside the entity's actor.
   */
  Behavior<EntityMessage> create(EntityContext<C> context);

  /**
   * Whether sharding restarts this type's running entities after a rebalance or a node crash
   * without waiting for a message (Pekko's "remember entities"). A saga that must finish on
   * its own wants this; such entities are not passivated when idle, so they should
   * {@link EntityContext#passivate()} themselves once they are done.
   */
  default boolean rememberEntities() {
    return false;
  }
}
