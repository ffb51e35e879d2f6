package io.colony.tasks;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** Task records as sharded entities. */
final class ShardedTaskRecords implements TaskRecords {

  private final ClusterSharding sharding;
  private final Duration askTimeout;

  ShardedTaskRecords(ClusterSharding sharding, Duration askTimeout) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
  }

  @Override
  public void recordOutcome(String taskId, Outcome outcome, ActorRef<TaskScheduler.Command> replyTo) {
    sharding.entityRefFor(TaskRecord.ENTITY_KEY, taskId).tell(new TaskRecord.RecordOutcome(outcome, replyTo));
  }

  @Override
  public void attemptFailed(String taskId, String token, String error, int attempts) {
    sharding.entityRefFor(TaskRecord.ENTITY_KEY, taskId).tell(new TaskRecord.AttemptFailed(token, error, attempts));
  }

  @Override
  public CompletionStage<TaskRecord.StartReply> startAttempt(String taskId, String token, String node) {
    return sharding.entityRefFor(TaskRecord.ENTITY_KEY, taskId)
        .ask(replyTo -> new TaskRecord.StartAttempt(token, node, replyTo), askTimeout);
  }
}
