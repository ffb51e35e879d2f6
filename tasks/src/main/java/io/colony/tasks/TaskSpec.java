package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.persistence.CborSerializable;

/** An accepted task as submitted: what to run and under which limits. */
public record TaskSpec(
    String id,
    String type,
    JsonNode input,
    long timeoutMs,
    int maxAttempts,
    int priority,
    long submittedAt) implements CborSerializable {

  /** A stand-in a worker holds until the record's go-ahead brings the real spec. */
  static TaskSpec awaitingGoAhead(String id, long timeoutMs) {
    return new TaskSpec(id, null, null, timeoutMs, 1, 0, 0);
  }
}
