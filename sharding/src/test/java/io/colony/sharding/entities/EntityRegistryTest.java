package io.colony.sharding.entities;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityType;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** Finding entity types with ServiceLoader, and refusing declarations that would break a node. */
@ExtendWith(LogCapturingExtension.class)
class EntityRegistryTest {

  /** Any command. */
  interface Noop extends CborSerializable {}

  /** A well-formed type; its name comes from the subclass. */
  public static class Named implements EntityType<Noop> {
    private final String name;

    public Named() {
      this("found");
    }

    Named(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Class<Noop> commandClass() {
      return Noop.class;
    }

    @Override
    public Behavior<EntityMessage> create(EntityContext<Noop> context) {
      return Behaviors.empty();
    }
  }

  @TempDir Path dir;

  private ClassLoader withServices(String... lines) throws IOException {
    Path services = dir.resolve("META-INF/services/" + EntityType.class.getName());
    Files.createDirectories(services.getParent());
    Files.write(services, List.of(lines));
    return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
  }

  @Test
  void loadsTheTypesDeclaredInMetaInfServices() throws IOException {
    EntityRegistry registry = EntityRegistry.load(withServices("# a comment", Named.class.getName()));
    assertEquals(List.of("found"), registry.names());
    assertTrue(registry.find("found").isPresent());
    assertTrue(registry.find("lost").isEmpty());
  }

  @Test
  void aMissingClassStopsStartUpNamingIt() throws IOException {
    ClassLoader loader = withServices("com.example.NoSuchType");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> EntityRegistry.load(loader));
    assertTrue(e.getMessage().contains("com.example.NoSuchType"), e.getMessage());
  }

  @Test
  void typesAreSortedByName() {
    assertEquals(List.of("a", "b-2", "c_3"),
        EntityRegistry.of(List.of(new Named("c_3"), new Named("a"), new Named("b-2"))).names());
  }

  @Test
  void refusesInvalidReservedAndDuplicateNames() {
    for (String bad : new String[] {"Counter", "1st", "with space", "a|b", "", "x".repeat(41)}) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> EntityRegistry.of(List.of(new Named(bad))));
      assertTrue(e.getMessage().contains("invalid name"), e.getMessage());
    }
    IllegalStateException reserved = assertThrows(IllegalStateException.class, () -> EntityRegistry.of(List.of(new Named("kv"))));
    assertTrue(reserved.getMessage().contains("reserves"), reserved.getMessage());
    IllegalStateException taken = assertThrows(IllegalStateException.class,
        () -> EntityRegistry.of(List.of(new Named("task")), java.util.Map.of("task", "colony-tasks")),
        "a name another module reserves");
    assertTrue(taken.getMessage().contains("colony-tasks"), taken.getMessage());
    IllegalStateException twice = assertThrows(IllegalStateException.class,
        () -> EntityRegistry.of(List.of(new Named("same"), new Named("same"))));
    assertTrue(twice.getMessage().contains("declared twice"), twice.getMessage());
  }
}
