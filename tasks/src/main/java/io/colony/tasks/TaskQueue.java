package io.colony.tasks;

import com.fasterxml.jackson.annotation.JsonFormat;
import io.colony.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The scheduler's durable state: the unfinished tasks, each with only what dispatch needs (id,
 * priority, limits, failures so far, when it may run next, its record's node), and the final
 * outcomes not yet handed to their records. Never a task's input: the worker fetches that from
 * the task's record when the attempt starts, so the queue's size per task is fixed.
 *
 * <p>Mutable, so a batch of changes costs O(changes) and not a copy of a queue of 100,000
 * tasks. That is safe because Pekko applies events on the actor's thread and snapshots go
 * through {@link #toSnapshot()}, an immutable copy made on that thread too.
 */
public final class TaskQueue {

  /**
   * One unfinished task. {@code failures} counts attempts that failed (not those lost in
   * crashes); {@code home} is the node of the task's record (a dispatch hint; may be null).
   * Serialized as a CBOR array, without field names, to keep snapshots small.
   */
  @JsonFormat(shape = JsonFormat.Shape.ARRAY)
  public record Entry(String id, long seq, int priority, int maxAttempts, long timeoutMs, int failures,
      long notBefore, String home) implements CborSerializable {

    Entry retried(int newFailures, long newNotBefore) {
      return new Entry(id, seq, priority, maxAttempts, timeoutMs, newFailures, newNotBefore, home);
    }
  }

  /** What a snapshot holds: the state in a plain, immutable form. */
  public record Snapshot(long epoch, long nextSeq, List<Entry> queued, Map<String, Outcome> outbox)
      implements CborSerializable {}

  /** Higher priority first, FIFO within a priority. */
  static final Comparator<Entry> ORDER = Comparator
      .comparingInt((Entry e) -> -e.priority())
      .thenComparingLong(Entry::seq);

  private long epoch;
  private long nextSeq;
  private final Map<String, Entry> queued = new HashMap<>();
  private final TreeSet<Entry> order = new TreeSet<>(ORDER);
  private final Map<String, Outcome> outbox = new HashMap<>();

  public long epoch() {
    return epoch;
  }

  public boolean isQueued(String taskId) {
    return queued.containsKey(taskId);
  }

  public boolean awaitsDelivery(String taskId) {
    return outbox.containsKey(taskId);
  }

  public Entry entry(String taskId) {
    return queued.get(taskId);
  }

  public int size() {
    return queued.size();
  }

  public Map<String, Outcome> outbox() {
    return Collections.unmodifiableMap(outbox);
  }

  /** Queued tasks in dispatch order. */
  public Iterable<Entry> inOrder() {
    return Collections.unmodifiableSortedSet(order);
  }

  /** Applies every change of one batch (the event handler). */
  TaskQueue apply(TaskScheduler.Changed batch) {
    for (TaskScheduler.Change change : batch.changes()) {
      if (change instanceof TaskScheduler.EpochStarted e) {
        epoch = e.epoch();
      } else if (change instanceof TaskScheduler.TaskQueued q) {
        put(new Entry(q.taskId(), nextSeq++, q.priority(), q.maxAttempts(), q.timeoutMs(), 0, 0, q.home()));
      } else if (change instanceof TaskScheduler.AttemptFailed f) {
        Entry old = queued.get(f.taskId());
        if (old != null) {
          put(old.retried(f.failures(), f.notBefore()));
        }
      } else if (change instanceof TaskScheduler.TaskFinished f) {
        remove(f.taskId());
        outbox.put(f.taskId(), f.outcome());
      } else if (change instanceof TaskScheduler.TaskDropped d) {
        remove(d.taskId());
      } else if (change instanceof TaskScheduler.OutcomeDelivered d) {
        outbox.remove(d.taskId());
      } else {
        throw new IllegalArgumentException("Unknown change " + change);
      }
    }
    return this;
  }

  private void put(Entry entry) {
    remove(entry.id());
    queued.put(entry.id(), entry);
    order.add(entry);
  }

  private void remove(String taskId) {
    Entry old = queued.remove(taskId);
    if (old != null) {
      order.remove(old);
    }
  }

  Snapshot toSnapshot() {
    return new Snapshot(epoch, nextSeq, List.copyOf(order), Map.copyOf(outbox));
  }

  static TaskQueue fromSnapshot(Snapshot snapshot) {
    TaskQueue queue = new TaskQueue();
    queue.epoch = snapshot.epoch();
    queue.nextSeq = snapshot.nextSeq();
    snapshot.queued().forEach(queue::put);
    if (snapshot.outbox() != null) {
      queue.outbox.putAll(snapshot.outbox());
    }
    return queue;
  }

  /** For tests: every entry in dispatch order. */
  List<Entry> entries() {
    return new ArrayList<>(order);
  }
}
