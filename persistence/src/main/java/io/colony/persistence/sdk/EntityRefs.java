package io.colony.persistence.sdk;

import org.apache.pekko.actor.typed.RecipientRef;

/**
 * Finds an entity of any registered type. On a node this is cluster sharding
 * ({@code EntityRef}s); in a test it can be a {@code TestProbe}.
 */
@FunctionalInterface
public interface EntityRefs {

  /**
   * The entity {@code entityId} of type {@code typeName}.
   *
   * @throws IllegalArgumentException when no such type is registered
   */
  RecipientRef<EntityMessage> entityRef(String typeName, String entityId);
}
