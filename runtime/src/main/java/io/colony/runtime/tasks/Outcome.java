package io.colony.runtime.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.persistence.CborSerializable;

/** How an attempt (or, once final, a task) ended. */
public record Outcome(TaskStatus status, JsonNode result, String error, boolean retryable)
    implements CborSerializable {

  public static Outcome succeeded(JsonNode result) {
    return new Outcome(TaskStatus.SUCCEEDED, result, null, false);
  }

  public static Outcome failed(String error, boolean retryable) {
    return new Outcome(TaskStatus.FAILED, null, error, retryable);
  }
}
