package io.colony.tasks;

import io.colony.persistence.TaggedEvents;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * The read side of {@code GET /v1/tasks?status=}: every node keeps each task's id, type and
 * status, built from the task records' tagged events. Eventually consistent, like the key
 * listing; {@code GET /v1/tasks/{id}} asks the record itself and is always current.
 */
public final class TaskIndex {

  /** One task in a listing. */
  public record TaskSummary(String id, String type, TaskStatus status, long submittedAt) {}

  private final Map<String, TaskSummary> tasks = new ConcurrentHashMap<>();

  private TaskIndex() {}

  public static TaskIndex start(ActorSystem<?> system, String readJournalPluginId) {
    TaskIndex index = new TaskIndex();
    TaggedEvents.follow(system, readJournalPluginId, TaskRecord.TAG, index::apply);
    return index;
  }

  void apply(EventEnvelope envelope) {
    Object event = envelope.event();
    if (event instanceof TaskRecord.Submitted submitted) {
      TaskSpec spec = submitted.spec();
      tasks.put(spec.id(), new TaskSummary(spec.id(), spec.type(), TaskStatus.PENDING, spec.submittedAt()));
      return;
    }
    String id = envelope.persistenceId().substring(TaskRecord.ENTITY_KEY.name().length() + 1);
    TaskStatus status = event instanceof TaskRecord.AttemptStarted ? TaskStatus.RUNNING
        : event instanceof TaskRecord.RetryScheduled ? TaskStatus.PENDING
        : event instanceof TaskRecord.Finished f ? f.outcome().status()
        : event instanceof TaskRecord.Cancelled ? TaskStatus.CANCELLED
        : null;
    if (status != null) {
      tasks.computeIfPresent(id, (k, old) -> new TaskSummary(old.id(), old.type(), status, old.submittedAt()));
    }
  }

  /** Newest first; {@code status == null} lists every status. */
  public List<TaskSummary> list(TaskStatus status, int limit) {
    return tasks.values().stream()
        .filter(t -> status == null || t.status() == status)
        .sorted(Comparator.comparingLong(TaskSummary::submittedAt).reversed().thenComparing(TaskSummary::id))
        .limit(limit)
        .toList();
  }
}
