package io.colony.tasks;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which due task goes to which worker: a pure function, so its rules are tested without actors.
 *
 * <p>First every worker takes the tasks whose record lives on its own node (Orleans' "prefer
 * local": the worker's go-ahead from the record is then a local message) among the next
 * {@code homeLookahead} due tasks of the head's priority; the rest go in queue order to the
 * emptiest workers. So FIFO holds within that window, and a lower priority never jumps ahead.
 *
 * @param <W> how the caller names a worker (an ActorRef in the scheduler)
 */
public final class Placement<W> {

  /** A worker with its node and how many more attempts it takes now. */
  public record Worker<W>(W id, String node, int freeSlots) {}

  /** One dispatch decision. */
  public record Assignment<W>(TaskQueue.Entry task, W worker) {}

  private final int homeLookahead;

  public Placement(int homeLookahead) {
    this.homeLookahead = homeLookahead;
  }

  /** How many due tasks the caller should offer to {@link #plan}: the free slots plus the lookahead window. */
  public int window(int freeSlots) {
    return freeSlots + homeLookahead;
  }

  /**
   * @param due tasks that may run now, in dispatch order (at most {@link #window} of them)
   * @param workers every worker with at least one free slot
   * @return the assignments, in dispatch order; never more per worker than its free slots
   */
  public List<Assignment<W>> plan(List<TaskQueue.Entry> due, List<Worker<W>> workers) {
    Map<W, Integer> slots = new LinkedHashMap<>();
    Map<String, W> onNode = new LinkedHashMap<>();
    workers.stream()
        .filter(w -> w.freeSlots() > 0)
        .sorted((a, b) -> Integer.compare(b.freeSlots(), a.freeSlots()))
        .forEach(w -> {
          slots.put(w.id(), w.freeSlots());
          onNode.putIfAbsent(w.node(), w.id());
        });
    Map<TaskQueue.Entry, W> home = homePlan(due, onNode, slots);
    List<Assignment<W>> plan = new ArrayList<>();
    for (TaskQueue.Entry task : due) {
      W worker = home.get(task);
      if (worker == null) {
        worker = emptiest(slots);
        if (worker == null) {
          continue; // only home tasks further down may still be planned
        }
        slots.merge(worker, -1, Integer::sum);
      }
      plan.add(new Assignment<>(task, worker));
    }
    return plan;
  }

  private Map<TaskQueue.Entry, W> homePlan(List<TaskQueue.Entry> due, Map<String, W> onNode, Map<W, Integer> slots) {
    Map<TaskQueue.Entry, W> plan = new IdentityHashMap<>();
    for (int i = 0; i < due.size() && i < homeLookahead; i++) {
      TaskQueue.Entry task = due.get(i);
      if (task.priority() != due.get(0).priority()) {
        break;
      }
      W worker = task.home() == null ? null : onNode.get(task.home());
      if (worker != null && slots.getOrDefault(worker, 0) > 0) {
        plan.put(task, worker);
        slots.merge(worker, -1, Integer::sum);
      }
    }
    return plan;
  }

  private W emptiest(Map<W, Integer> slots) {
    W best = null;
    int most = 0;
    for (Map.Entry<W, Integer> e : slots.entrySet()) {
      if (e.getValue() > most) {
        best = e.getKey();
        most = e.getValue();
      }
    }
    return best;
  }
}
