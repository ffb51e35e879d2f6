package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.persistence.CborSerializable;

/** A task as clients see it ({@code GET /v1/tasks/{id}}); {@code status == null} means no such task. */
public record TaskView(String id, String type, TaskStatus status, int attempts, String node, JsonNode result,
    String error, long submittedAt, Long startedAt, Long finishedAt, int priority) implements CborSerializable {

  static TaskView absent(String id) {
    return new TaskView(id, null, null, 0, null, null, null, 0, null, null, 0);
  }

  public boolean exists() {
    return status != null;
  }
}
