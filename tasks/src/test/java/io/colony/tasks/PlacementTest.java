package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** The dispatch rules as a pure function: no actors, no clocks. */
@ExtendWith(LogCapturingExtension.class)
class PlacementTest {

  private final Placement<String> placement = new Placement<>(32);

  private static TaskQueue.Entry task(String id, int priority, String home) {
    return new TaskQueue.Entry(id, id.hashCode(), priority, 1, 1000, 0, 0, home);
  }

  private static Map<String, String> byTask(List<Placement.Assignment<String>> plan) {
    return plan.stream().collect(Collectors.toMap(a -> a.task().id(), Placement.Assignment::worker));
  }

  @Test
  void homeTasksGoToTheWorkerOnTheirNodeWithinItsFreeSlots() {
    var plan = placement.plan(
        List.of(task("a1", 0, "A"), task("b1", 0, "B"), task("a2", 0, "A"), task("c1", 0, "C")),
        List.of(new Placement.Worker<>("wa", "A", 1), new Placement.Worker<>("wb", "B", 2)));
    Map<String, String> assigned = byTask(plan);
    assertEquals("wa", assigned.get("a1"));
    assertEquals("wb", assigned.get("b1"));
    // wa is full after a1: a2 and c1 (no worker on C) go to the one with slots left
    assertEquals("wb", assigned.get("a2"));
    assertEquals(3, plan.size(), "three free slots, three assignments: " + plan);
  }

  @Test
  void aLowerPriorityNeverJumpsAheadForLocality() {
    var plan = placement.plan(List.of(task("urgent", 5, "B"), task("later", 0, "A")),
        List.of(new Placement.Worker<>("wa", "A", 1), new Placement.Worker<>("wb", "B", 1)));
    assertEquals("wb", byTask(plan).get("urgent"));
    assertEquals("wa", byTask(plan).get("later"), "then it takes what is left");
    assertEquals("urgent", plan.get(0).task().id(), "dispatch order is queue order");
  }

  @Test
  void theRestGoToTheEmptiestWorkersAndNoWorkerGetsMoreThanItsSlots() {
    List<TaskQueue.Entry> due = List.of(task("t1", 0, null), task("t2", 0, null), task("t3", 0, null),
        task("t4", 0, null), task("t5", 0, null));
    var plan = placement.plan(due, List.of(new Placement.Worker<>("big", "X", 3), new Placement.Worker<>("small", "Y", 1),
        new Placement.Worker<>("full", "Z", 0)));
    Map<String, Long> perWorker = plan.stream()
        .collect(Collectors.groupingBy(Placement.Assignment::worker, Collectors.counting()));
    assertEquals(Map.of("big", 3L, "small", 1L), perWorker);
    assertEquals(List.of("t1", "t2", "t3", "t4"), plan.stream().map(a -> a.task().id()).toList(),
        "FIFO: the first four due tasks");
  }

  @Test
  void theWindowIsTheFreeSlotsPlusTheLookahead() {
    assertEquals(37, placement.window(5));
  }
}
