package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The scheduler's durable state: changes, order, and the size of its snapshot. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class TaskQueueTest {

  /** Stated bound: a snapshot takes under 100 bytes per queued task (ids are UUIDs). */
  static final int MAX_SNAPSHOT_BYTES_PER_TASK = 100;

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().build();


  private static TaskScheduler.Changed batch(TaskScheduler.Change... changes) {
    return new TaskScheduler.Changed(List.of(changes));
  }

  @Test
  void changesKeepPriorityThenFifoOrderAndFinishedTasksWaitInTheOutbox() {
    TaskQueue queue = new TaskQueue();
    queue.apply(batch(new TaskScheduler.TaskQueued("a", 0, 3, 1000, "n1"),
        new TaskScheduler.TaskQueued("b", 9, 3, 1000, "n1"),
        new TaskScheduler.TaskQueued("c", 0, 3, 1000, null)));
    assertEquals(List.of("b", "a", "c"), queue.entries().stream().map(TaskQueue.Entry::id).toList());

    queue.apply(batch(new TaskScheduler.AttemptFailed("a", 1, 42L, "boom"),
        new TaskScheduler.TaskFinished("b", Outcome.succeeded(null).asFinal(1)),
        new TaskScheduler.TaskDropped("c")));
    assertEquals(List.of("a"), queue.entries().stream().map(TaskQueue.Entry::id).toList());
    assertEquals(1, queue.entry("a").failures());
    assertEquals(42L, queue.entry("a").notBefore());
    assertTrue(queue.awaitsDelivery("b"));

    queue.apply(batch(new TaskScheduler.OutcomeDelivered("b")));
    assertTrue(queue.outbox().isEmpty());
  }

  @Test
  void aSnapshotOf100000QueuedTasksStaysUnderTheStatedBoundAndRestoresTheQueue() throws Exception {
    int tasks = 100_000;
    TaskQueue queue = new TaskQueue();
    List<TaskScheduler.Change> changes = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      changes.add(new TaskScheduler.TaskQueued(UUID.randomUUID().toString(), i % 3, 3, 30_000,
          "pekko://colony@127.0.0.1:" + (17355 + i % 3)));
    }
    queue.apply(new TaskScheduler.Changed(changes));
    queue.apply(batch(new TaskScheduler.EpochStarted(7)));

    TaskQueue.Snapshot snapshot = queue.toSnapshot();
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    byte[] bytes = serialization.serialize(snapshot).get();
    long perTask = bytes.length / tasks;
    System.out.printf("scheduler snapshot with %,d queued tasks: %,d bytes (%d per task)%n", tasks, bytes.length, perTask);
    assertTrue(perTask < MAX_SNAPSHOT_BYTES_PER_TASK, bytes.length + " bytes for " + tasks + " tasks");

    var serializer = serialization.findSerializerFor(snapshot);
    Object back = serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, snapshot)).get();
    TaskQueue restored = TaskQueue.fromSnapshot((TaskQueue.Snapshot) back);
    assertEquals(tasks, restored.size());
    assertEquals(7, restored.epoch());
    assertEquals(queue.entries(), restored.entries(), "same tasks, same order");
    assertEquals(Map.of(), restored.outbox());
  }
}
