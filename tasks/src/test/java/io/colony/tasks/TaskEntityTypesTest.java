package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.sharding.entities.ReservedEntityTypes;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LogCapturingExtension.class)
class TaskEntityTypesTest {

  @Test
  void theTaskRecordsNameIsReservedThroughTheServiceLoader() {
    boolean reserved = ServiceLoader.load(ReservedEntityTypes.class, getClass().getClassLoader()).stream()
        .map(ServiceLoader.Provider::get)
        .anyMatch(module -> module.names().contains(TaskRecord.ENTITY_KEY.name()));
    assertTrue(reserved, "colony-tasks must reserve '" + TaskRecord.ENTITY_KEY.name() + "'");
  }
}
