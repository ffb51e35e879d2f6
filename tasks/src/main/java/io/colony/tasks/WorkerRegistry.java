package io.colony.tasks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The scheduler's runtime view of the workers: each one's node and free slots, and the attempt
 * running for each task (its token, worker and deadline). Not persisted: after a fail-over the
 * workers announce themselves again and every unfinished task is simply dispatched again.
 */
final class WorkerRegistry {

  /** An attempt handed to a worker. */
  record Running(String token, ActorRef<TaskWorker.Command> worker, long deadlineMillis) {}

  private record Info(String node, int freeSlots) {}

  private final Map<ActorRef<TaskWorker.Command>, Info> workers = new HashMap<>();
  private final Map<String, Running> running = new HashMap<>();

  /** @return true when the worker is new */
  boolean ready(ActorRef<TaskWorker.Command> worker, String node, int freeSlots) {
    // Dispatches the worker has not seen yet may make this too high; it refuses what it cannot take.
    return workers.put(worker, new Info(node, Math.max(0, freeSlots))) == null;
  }

  /** Forgets a worker; its attempts are forgotten too (they are dispatched again). @return its node, or null */
  String gone(ActorRef<TaskWorker.Command> worker) {
    Info info = workers.remove(worker);
    running.values().removeIf(r -> r.worker().equals(worker));
    return info == null ? null : info.node();
  }

  boolean isEmpty() {
    return workers.isEmpty();
  }

  int size() {
    return workers.size();
  }

  /** Workers with free slots, for {@link Placement#plan}. */
  List<Placement.Worker<ActorRef<TaskWorker.Command>>> withFreeSlots() {
    List<Placement.Worker<ActorRef<TaskWorker.Command>>> free = new ArrayList<>();
    workers.forEach((ref, info) -> {
      if (info.freeSlots() > 0) {
        free.add(new Placement.Worker<>(ref, info.node(), info.freeSlots()));
      }
    });
    return free;
  }

  int freeSlots() {
    return workers.values().stream().mapToInt(Info::freeSlots).sum();
  }

  void started(String taskId, Running attempt) {
    running.put(taskId, attempt);
    workers.computeIfPresent(attempt.worker(), (w, info) -> new Info(info.node(), Math.max(0, info.freeSlots() - 1)));
  }

  boolean isRunning(String taskId) {
    return running.containsKey(taskId);
  }

  Running attempt(String taskId) {
    return running.get(taskId);
  }

  /** Forgets the task's attempt if its token is {@code token}. @return whether it was */
  boolean endIfCurrent(String taskId, String token) {
    Running current = running.get(taskId);
    if (current != null && current.token().equals(token)) {
      running.remove(taskId);
      return true;
    }
    return false;
  }

  /** Forgets the task's attempt, whatever its token. @return it, or null */
  Running end(String taskId) {
    return running.remove(taskId);
  }

  /** Attempts whose deadline plus {@code graceMillis} has passed. */
  List<Map.Entry<String, Running>> overdue(long now, long graceMillis) {
    List<Map.Entry<String, Running>> late = new ArrayList<>();
    for (Iterator<Map.Entry<String, Running>> it = running.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Running> e = it.next();
      if (now > e.getValue().deadlineMillis() + graceMillis) {
        late.add(Map.entry(e.getKey(), e.getValue()));
      }
    }
    return late;
  }

  int runningCount() {
    return running.size();
  }
}
