package io.colony.sharding.entities;

import io.colony.persistence.sdk.EntityType;
import io.colony.sharding.kv.KeyValueEntity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
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
  /** The entity type name this module uses itself; other modules reserve theirs with {@link ReservedEntityTypes}. */
  static final String KV_NAME = KeyValueEntity.ENTITY_KEY.name();

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
    Map<String, String> reserved = new LinkedHashMap<>();
    reserved.put(KV_NAME, "colony-sharding");
    try {
      for (EntityType<?> type : ServiceLoader.load(EntityType.class, loader)) {
        found.add(type);
      }
      for (ReservedEntityTypes module : ServiceLoader.load(ReservedEntityTypes.class, loader)) {
        module.names().forEach(name -> reserved.putIfAbsent(name, module.owner()));
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException("Cannot load an entity type: " + e.getMessage(), e);
    }
    return of(found, reserved);
  }

  /** A registry of exactly these types, checked as {@link #load} checks them; only the key-value name is reserved. */
  public static EntityRegistry of(List<EntityType<?>> types) {
    return of(types, Map.of(KV_NAME, "colony-sharding"));
  }

  /** A registry of exactly these types; {@code reserved} maps names no type may take to who uses them. */
  public static EntityRegistry of(List<EntityType<?>> types, Map<String, String> reserved) {
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
      if (reserved.containsKey(name)) {
        throw new IllegalStateException("Entity type " + declaredBy + " uses the name '" + name
            + "', which Colony reserves (" + reserved.get(name) + ")");
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
