package io.colony.tasks;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/** How the scheduler and the workers reach task records: sharded entities in a node, stand-ins in tests. */
public interface TaskRecords {

  /** Stores the task's final outcome; the record answers {@link TaskScheduler.OutcomeRecorded}. */
  void recordOutcome(String taskId, Outcome outcome, ActorRef<TaskScheduler.Command> replyTo);

  /** Tells the record an attempt failed and a retry is planned; {@code attempts} so far, by the scheduler's count. */
  void attemptFailed(String taskId, String token, String error, int attempts);

  /** Asks whether an attempt may start (and counts it). */
  CompletionStage<TaskRecord.StartReply> startAttempt(String taskId, String token, String node);
}
