package io.colony.tasks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every message that crosses nodes or is persisted round-trips through Jackson CBOR. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class TaskMessagesSerializationTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().build();


  @Test
  void protocolEventsAndSnapshotsRoundTrip() {
    TestProbe<TaskRecord.Command> record = testKit.createTestProbe();
    TestProbe<TaskRecord.SubmitReply> client = testKit.createTestProbe();
    TaskSpec spec = new TaskSpec("t-1", "pi", JsonNodeFactory.instance.objectNode().put("samples", 5), 1000, 3, 2, 42L);
    // (A null JsonNode comes back as NullNode, which is the same JSON but not equals(): use a value.)
    TaskView view = new TaskView("t-1", "pi", TaskStatus.SUCCEEDED, 1, "pekko://colony@127.0.0.1:17355",
        JsonNodeFactory.instance.objectNode().put("pi", 3.1), null, 42L, 43L, 44L, 2);
    List<Object> messages = List.of(
        TaskScheduler.Enqueue.of(spec, record.getRef()),
        new TaskRecord.Submit(spec, client.getRef()),
        new TaskRecord.Enqueued("t-1"),
        new TaskRecord.EnqueueRefused("t-1", 100),
        new TaskRecord.Forget(),
        new TaskRecord.Go(2, spec),
        new TaskRecord.Abort(null),
        new TaskRecord.Accepted(view),
        new TaskRecord.QueueFull(100),
        new TaskRecord.NotQueued("no answer"),
        new TaskRecord.KeyReused(view),
        new TaskWorker.Dispatch("t-1", "3-7", 1000),
        new TaskScheduler.Changed(List.of(new TaskScheduler.EpochStarted(3),
            new TaskScheduler.TaskQueued("t-1", 2, 3, 1000, "pekko://colony@127.0.0.1:17355"),
            new TaskScheduler.AttemptFailed("t-1", 1, 99L, "boom"),
            new TaskScheduler.TaskFinished("t-1", Outcome.succeeded(JsonNodeFactory.instance.numberNode(3)).asFinal(2)),
            new TaskScheduler.TaskDropped("t-2"),
            new TaskScheduler.OutcomeDelivered("t-1"))),
        new TaskQueue.Snapshot(3, 10, List.of(new TaskQueue.Entry("t-1", 9, 2, 3, 1000, 1, 99L, null)),
            Map.of("t-3", new Outcome(TaskStatus.FAILED, JsonNodeFactory.instance.nullNode(), "x", false, 1))));
    for (Object message : messages) {
      testKit.serializationTestKit().verifySerialization(message, true);
    }
  }
}
