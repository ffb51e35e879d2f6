package io.colony.sharding.entities;

import io.colony.persistence.sdk.EntityType;
import io.colony.runtime.tasks.TaskRecord;
import io.colony.sharding.kv.KeyValueEntity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The user entity types this node runs: every {@link EntityType} that
 * {@link ServiceLoader} finds on the classpath (Colony's own jar, the samples jar,
 * {@code COLONY_EXTENSIONS} jars). A broken declaration stops start-up with a message that
 * names it, rather than leaving the type silently missing on one node.
 */
public final class EntityRegistry {

  /** Lower-case letters, digits, '-' and '_', starting with a letter, at most 40 characters. */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,39}");
  /** Entity type names Colony uses itself. */
  static final Set<String> RESERVED = Set.of(KeyValueEntity.ENTITY_KEY.name(), TaskRecord.ENTITY_KEY.name());

  private final Map<String, EntityType<?>> types;

  private EntityRegistry(Map<String, EntityType<?>> types) {
    this.types = types;
  }

  /**
   * The types declared in {@code META-INF/services/io.colony.persistence.sdk.EntityType} of
   * every jar that {@code loader} sees.
   *
   * @throws IllegalStateException when a declared class cannot be loaded or created, or when
   *     names are invalid, reserved or declared twice
   */
  public static EntityRegistry load(ClassLoader loader) {
    List<EntityType<?>> found = new ArrayList<>();
    try {
      for (EntityType<?> type : ServiceLoader.load(EntityType.class, loader)) {
        found.add(type);
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException("Cannot load an entity type: " + e.getMessage(), e);
    }
    return of(found);
  }

  /** A registry of exactly these types, checked as {@link #load} checks them. */
  public static EntityRegistry of(List<EntityType<?>> types) {
    Map<String, EntityType<?>> byName = new LinkedHashMap<>();
    List<EntityType<?>> sorted = new ArrayList<>(types);
    sorted.sort(Comparator.comparing(EntityType::name, Comparator.nullsFirst(Comparator.naturalOrder())));
    for (EntityType<?> type : sorted) {
      String name = type.name();
      String declaredBy = type.getClass().getName();
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalStateException("Entity type " + declaredBy + " has the invalid name '" + name
            + "': use lower-case letters, digits, '-' and '_', starting with a letter, at most 40 characters");
      }
      if (RESERVED.contains(name)) {
        throw new IllegalStateException("Entity type " + declaredBy + " uses the name '" + name + "', which Colony reserves");
      }
      if (type.commandClass() == null) {
        throw new IllegalStateException("Entity type '" + name + "' (" + declaredBy + ") declares no command class");
      }
      EntityType<?> clash = byName.putIfAbsent(name, type);
      if (clash != null) {
        throw new IllegalStateException("Entity type '" + name + "' is declared twice: by " + clash.getClass().getName()
            + " and by " + declaredBy + " (is a jar on the classpath twice?)");
      }
    }
    return new EntityRegistry(byName);
  }

  /** Every type, by name. */
  public List<EntityType<?>> types() {
    return List.copyOf(types.values());
  }

  public Optional<EntityType<?>> find(String name) {
    return Optional.ofNullable(types.get(name));
  }

  public List<String> names() {
    return List.copyOf(types.keySet());
  }
}
