package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A kind of task: the code a worker runs for tasks whose {@code "type"} is {@link #type()}.
 * Implementations are found with {@link java.util.ServiceLoader}: list the class in
 * {@code META-INF/services/io.colony.tasks.TaskHandler} of a jar on the node's
 * classpath (e.g. in {@code COLONY_EXTENSIONS}) and the type is there on every such node.
 *
 * <p>{@link #run} executes on a thread of the node's worker pool, never on Pekko's default
 * dispatcher, so it may block. It may run more than once for one task (a crashed or timed-out
 * attempt is retried), so it should be idempotent; exactly one outcome is recorded.
 *
 * <p>When an attempt times out or its task is cancelled, {@link TaskContext#isCancelled()} turns
 * true and the thread running {@link #run} is interrupted. A timed-out attempt counts as failed
 * at once (its task may be retried elsewhere) and whatever {@code run} returns afterwards is
 * ignored. But the worker slot stays busy ("stuck", shown by {@code GET /v1/workers}) until
 * {@code run} actually returns: a handler should let {@link InterruptedException} propagate
 * (or return soon after it), not swallow it, and should check {@code isCancelled()} in long
 * loops. One that ignores both keeps its slot, and that node runs one attempt fewer at a time,
 * until it returns.
 */
public interface TaskHandler {

  /** The name clients put in {@code "type"}. */
  String type();

  /**
   * Checks a submitted input before the task is accepted.
   *
   * @throws IllegalArgumentException with a message for the client (the submit gets a 400)
   */
  default void validate(JsonNode input) {}

  /**
   * Runs one attempt.
   *
   * @return the result, stored as the task's {@code result}
   * @throws NonRetryableTaskException to fail the task at once, without further attempts
   * @throws Exception any other failure; retried while attempts are left
   */
  JsonNode run(TaskContext context, JsonNode input) throws Exception;
}
