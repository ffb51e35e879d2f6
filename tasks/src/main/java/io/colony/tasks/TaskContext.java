package io.colony.tasks;

import org.apache.pekko.actor.typed.ActorSystem;

/** What a running attempt may know and use. */
public interface TaskContext {

  String taskId();

  /** 1 for the first attempt, 2 for the first retry, … */
  int attempt();

  /** True once the task was cancelled or this attempt timed out; long work should stop then. */
  boolean isCancelled();

  /** The node's ActorSystem, e.g. to reach sharded entities. */
  ActorSystem<?> system();
}
