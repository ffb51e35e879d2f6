package io.colony.tasks;

/** A task's life: PENDING → RUNNING → SUCCEEDED | FAILED, or CANCELLED from either of the first two. */
public enum TaskStatus {
  PENDING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean isTerminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
