package io.colony.tasks;

import org.apache.pekko.actor.typed.ActorSystem;

/** What a running attempt may know and use. */
public interface TaskContext {

  String taskId();

  /** 1 for the first attempt, 2 for the first retry, … */
  int attempt();

  /**
   * True once the task was cancelled or this attempt timed out; long work should stop then.
   * It turns true before the attempt's thread is interrupted, so code that catches an
   * {@link InterruptedException} (or sees {@link Thread#isInterrupted()}) can tell a
   * cancellation from here. Code that does not block (a computing loop) should look at it
   * every few milliseconds: until the handler returns, its slot stays busy ("stuck").
   */
  boolean isCancelled();

  /** The node's ActorSystem, e.g. to reach sharded entities. */
  ActorSystem<?> system();
}
