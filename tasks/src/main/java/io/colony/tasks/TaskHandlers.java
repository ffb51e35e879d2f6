package io.colony.tasks;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/** The task types this node knows: every {@link TaskHandler} found by ServiceLoader. */
public final class TaskHandlers {

  private final Map<String, TaskHandler> byType;

  TaskHandlers(Iterable<TaskHandler> handlers) {
    Map<String, TaskHandler> map = new TreeMap<>();
    for (TaskHandler handler : handlers) {
      TaskHandler previous = map.put(handler.type(), handler);
      if (previous != null) {
        throw new IllegalStateException("Two task handlers for type '" + handler.type() + "': "
            + previous.getClass().getName() + " and " + handler.getClass().getName());
      }
    }
    this.byType = Map.copyOf(map);
  }

  public static TaskHandlers load(ClassLoader classLoader) {
    return new TaskHandlers(ServiceLoader.load(TaskHandler.class, classLoader));
  }

  public Optional<TaskHandler> find(String type) {
    return Optional.ofNullable(byType.get(type));
  }

  public Set<String> types() {
    return new java.util.TreeSet<>(byType.keySet());
  }
}
