package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.http.testing.InJvmNode;
import io.colony.tasks.TaskSubmission;
import io.colony.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** A full task queue answers 429 with Retry-After, and nothing of the refused task is stored. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class TaskQueueCapTest {

  private ColonyNode node;
  private String base;

  @BeforeAll
  void startNode() {
    InJvmNode.Started started = InJvmNode.startReady("colony.tasks.max-queued = 3");
    node = started.node();
    base = started.base();
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  private HttpResponse<String> submit(String key) {
    return HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/v1/tasks"))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"sleep\",\"input\":{\"ms\":60000},\"timeoutMs\":120000}")));
  }

  @Test
  void beyondTheCapA429AndNothingStored() {
    for (int i = 0; i < 3; i++) {
      assertEquals(202, submit("cap-" + i).statusCode());
    }
    HttpResponse<String> refused = submit("cap-refused");
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("queue_full", json(refused).get("error").asText());
    assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After");
    assertEquals(404, HttpJson.status(base + "/v1/tasks/" + TaskSubmission.idFor("cap-refused")),
        "the refused task has no record");

    // A repeated submission of a queued task is not a new task: still 202 with the same id.
    HttpResponse<String> again = submit("cap-1");
    assertEquals(202, again.statusCode(), again.body());
    assertEquals(TaskSubmission.idFor("cap-1"), json(again).get("id").asText());

    // Room again once a task ends (cancelled): the refused one is accepted now.
    assertEquals(200, HttpJson.send("DELETE", base + "/v1/tasks/" + TaskSubmission.idFor("cap-0")).statusCode());
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> submit("cap-refused").statusCode() == 202);
  }
}
