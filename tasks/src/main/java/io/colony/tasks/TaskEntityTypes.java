package io.colony.tasks;

import io.colony.sharding.entities.ReservedEntityTypes;
import java.util.Set;

/** Reserves the task records' entity type name, so no user entity type can take it. */
public final class TaskEntityTypes implements ReservedEntityTypes {

  @Override
  public Set<String> names() {
    return Set.of(TaskRecord.ENTITY_KEY.name());
  }

  @Override
  public String owner() {
    return "colony-tasks";
  }
}
