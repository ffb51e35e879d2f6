package io.colony.tasks;

/** Thrown by a {@link TaskHandler} when retrying cannot help: the task fails at once. */
public class NonRetryableTaskException extends RuntimeException {

  public NonRetryableTaskException(String message) {
    super(message);
  }
}
