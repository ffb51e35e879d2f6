package io.colony.tasks;

import io.colony.persistence.CborSerializable;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The scheduler's durable state: the queue of unfinished tasks and the outcomes not yet
 * handed to their records. Finished, delivered tasks leave it, so it stays small.
 *
 * <p>Immutable (snapshots are serialized on another thread). A whole group-committed batch is
 * one journal event, so the maps are copied once per batch, not once per task.
 */
public final class SchedulerState implements CborSerializable {

  /**
   * One unfinished task; {@code failures} counts attempts that failed (not those lost in crashes).
   * {@code home} is the node its record was on when it was queued (a dispatch hint; may be null).
   */
  public record QueuedTask(TaskSpec spec, long seq, int failures, long notBefore, String home)
      implements CborSerializable {}

  private static final Comparator<QueuedTask> ORDER = Comparator
      .comparingInt((QueuedTask q) -> -q.spec().priority())
      .thenComparingLong(QueuedTask::seq);

  private final long epoch;
  private final long nextSeq;
  private final Map<String, QueuedTask> queued;
  private final Map<String, Outcome> outbox;
  /** Higher priority first, FIFO within a priority. Not serialized; rebuilt from {@code queued}. */
  private transient TreeSet<QueuedTask> order;

  /** Empty state; also used by Jackson, which then sets the fields. */
  SchedulerState() {
    this(0, 0, new HashMap<>(), new HashMap<>(), null);
  }

  private SchedulerState(long epoch, long nextSeq, Map<String, QueuedTask> queued, Map<String, Outcome> outbox,
      TreeSet<QueuedTask> order) {
    this.epoch = epoch;
    this.nextSeq = nextSeq;
    this.queued = queued;
    this.outbox = outbox;
    this.order = order;
  }

  public long epoch() {
    return epoch;
  }

  public boolean isQueued(String taskId) {
    return queued.containsKey(taskId);
  }

  public boolean awaitsDelivery(String taskId) {
    return outbox.containsKey(taskId);
  }

  public QueuedTask queuedTask(String taskId) {
    return queued.get(taskId);
  }

  public int queueLength() {
    return queued.size();
  }

  public Map<String, Outcome> outbox() {
    return Collections.unmodifiableMap(outbox);
  }

  /** Queued tasks in dispatch order. */
  public Iterable<QueuedTask> inOrder() {
    return Collections.unmodifiableSortedSet(order());
  }

  private TreeSet<QueuedTask> order() {
    if (order == null) {
      TreeSet<QueuedTask> sorted = new TreeSet<>(ORDER);
      sorted.addAll(queued.values());
      order = sorted;
    }
    return order;
  }

  /** A new state with every change of one batch applied. */
  SchedulerState apply(TaskScheduler.Changed batch) {
    long newEpoch = epoch;
    long seq = nextSeq;
    Map<String, QueuedTask> newQueued = new HashMap<>(queued);
    Map<String, Outcome> newOutbox = new HashMap<>(outbox);
    TreeSet<QueuedTask> newOrder = new TreeSet<>(order());
    for (TaskScheduler.Change change : batch.changes()) {
      if (change instanceof TaskScheduler.EpochStarted e) {
        newEpoch = e.epoch();
      } else if (change instanceof TaskScheduler.TaskQueued q) {
        put(newQueued, newOrder, new QueuedTask(q.spec(), seq++, 0, 0, q.home()));
      } else if (change instanceof TaskScheduler.AttemptFailed f) {
        QueuedTask old = newQueued.get(f.taskId());
        if (old != null) {
          put(newQueued, newOrder, new QueuedTask(old.spec(), old.seq(), f.failures(), f.notBefore(), old.home()));
        }
      } else if (change instanceof TaskScheduler.TaskFinished f) {
        remove(newQueued, newOrder, f.taskId());
        newOutbox.put(f.taskId(), f.outcome());
      } else if (change instanceof TaskScheduler.TaskDropped d) {
        remove(newQueued, newOrder, d.taskId());
      } else if (change instanceof TaskScheduler.OutcomeDelivered d) {
        newOutbox.remove(d.taskId());
      } else {
        throw new IllegalArgumentException("Unknown change " + change);
      }
    }
    return new SchedulerState(newEpoch, seq, newQueued, newOutbox, newOrder);
  }

  private static void put(Map<String, QueuedTask> queued, TreeSet<QueuedTask> order, QueuedTask task) {
    remove(queued, order, task.spec().id());
    queued.put(task.spec().id(), task);
    order.add(task);
  }

  private static void remove(Map<String, QueuedTask> queued, TreeSet<QueuedTask> order, String taskId) {
    QueuedTask old = queued.remove(taskId);
    if (old != null) {
      order.remove(old);
    }
  }
}
