package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.persistence.CborSerializable;

/**
 * How an attempt (or, once final, a task) ended. {@code attempts} is set by the scheduler on a
 * final outcome (its count of the task's attempts); null on a single attempt's result.
 */
public record Outcome(TaskStatus status, JsonNode result, String error, boolean retryable, Integer attempts)
    implements CborSerializable {

  public static Outcome succeeded(JsonNode result) {
    return new Outcome(TaskStatus.SUCCEEDED, result, null, false, null);
  }

  public static Outcome failed(String error, boolean retryable) {
    return new Outcome(TaskStatus.FAILED, null, error, retryable, null);
  }

  /** This outcome as the task's final one, after {@code attempts} attempts. */
  public Outcome asFinal(int attempts) {
    return new Outcome(status, result, error, false, attempts);
  }
}
