package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.http.testing.InJvmNode;
import io.colony.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code /v1/tasks} and {@code /v1/workers} of a real single-node cluster, over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class TaskRoutesTest {

  private ColonyNode node;
  private String base;

  @BeforeAll
  void startNode() {
    InJvmNode.Started started = InJvmNode.startReady("");
    node = started.node();
    base = started.base();
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  private HttpResponse<String> post(String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/v1/tasks"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return HttpJson.send(request);
  }

  private JsonNode awaitFinished(String id) {
    return await().atMost(Duration.ofSeconds(30)).until(() -> HttpJson.getJson(base + "/v1/tasks/" + id),
        task -> task.get("status").asText().matches("SUCCEEDED|FAILED|CANCELLED"));
  }

  @Test
  void aSubmittedTaskRunsAndReportsItsResult() {
    HttpResponse<String> accepted = post("{\"type\":\"pi\",\"input\":{\"samples\":200000}}");
    assertEquals(202, accepted.statusCode(), accepted.body());
    String id = json(accepted).get("id").asText();
    assertEquals("PENDING", json(accepted).get("status").asText());
    assertEquals("/v1/tasks/" + id, accepted.headers().firstValue("Location").orElseThrow());

    JsonNode task = awaitFinished(id);
    assertEquals("SUCCEEDED", task.get("status").asText(), task.toString());
    assertEquals("pi", task.get("type").asText());
    assertEquals(1, task.get("attempts").asInt());
    assertTrue(Math.abs(task.get("result").get("pi").asDouble() - Math.PI) < 0.05, task.toString());
    assertTrue(task.get("node").asText().startsWith("pekko://colony@"));
    assertTrue(task.get("finishedAt").asLong() >= task.get("startedAt").asLong());
    assertTrue(task.get("startedAt").asLong() >= task.get("submittedAt").asLong());
  }

  @Test
  void theSameIdempotencyKeyGivesTheSameTask() {
    String body = "{\"type\":\"sleep\",\"input\":{\"ms\":1}}";
    String first = json(post(body, "Idempotency-Key", "order-42")).get("id").asText();
    HttpResponse<String> second = post(body, "Idempotency-Key", "order-42");
    assertEquals(202, second.statusCode());
    assertEquals(first, json(second).get("id").asText());
    assertTrue(!first.equals(json(post(body, "Idempotency-Key", "order-43")).get("id").asText()));
  }

  @Test
  void anIdempotencyKeyReusedWithAnotherBodyIs422AndChangesNothing() {
    String body = "{\"type\":\"sleep\",\"input\":{\"ms\":1}}";
    String id = json(post(body, "Idempotency-Key", "reuse-1")).get("id").asText();
    HttpResponse<String> reused = post("{\"type\":\"sleep\",\"input\":{\"ms\":2}}", "Idempotency-Key", "reuse-1");
    assertEquals(422, reused.statusCode(), reused.body());
    assertEquals("idempotency_key_reused", json(reused).get("error").asText());
    JsonNode task = awaitFinished(id);
    assertEquals(1, task.get("result").get("sleptMs").asInt(), "the first body's task ran, unchanged: " + task);
  }

  @Test
  void integersOutOfRangeAre400NeverWrapped() {
    for (String field : List.of("maxAttempts", "timeoutMs", "priority")) {
      HttpResponse<String> response = post("{\"type\":\"sleep\",\"input\":{\"ms\":1},\"" + field
          + "\":18446744073709551617}");
      assertEquals(400, response.statusCode(), field + ": " + response.body());
      assertEquals("invalid_task", json(response).get("error").asText());
      assertTrue(json(response).get("message").asText().contains(field), response.body());
    }
  }

  @Test
  void taskIdsTheJournalCannotHoldAre400() {
    for (String id : List.of("nul%00byte", "bad%E2%82utf8", "x".repeat(300), "sp%20ace", "%F0%9F%98%80")) {
      for (String method : List.of("GET", "DELETE")) {
        HttpResponse<String> response = HttpJson.send(method, base + "/v1/tasks/" + id);
        assertEquals(400, response.statusCode(), method + " " + id + ": " + response.body());
        assertTrue(json(response).has("error"), response.body());
      }
    }
  }

  @Test
  void invalidSubmissionsAre400WithAReason() {
    Map<String, String> cases = Map.of(
        "not json", "invalid_json",
        "{\"type\":\"no-such-type\"}", "invalid_task",
        "{\"type\":\"sleep\",\"input\":{\"ms\":1},\"timeoutMs\":0}", "invalid_task",
        "{\"type\":\"sleep\",\"input\":{\"ms\":1},\"timeoutMs\":\"soon\"}", "invalid_task",
        "{\"type\":\"sleep\",\"input\":{\"ms\":1},\"maxAttempts\":0}", "invalid_task",
        "{\"type\":\"sleep\",\"input\":{\"ms\":-5}}", "invalid_task",
        "{\"type\":\"wordcount\",\"input\":{}}", "invalid_task",
        "{\"type\":\"sleep\",\"input\":{\"ms\":1,\"pad\":\"" + "x".repeat(70_000) + "\"}}", "invalid_task",
        "[1,2]", "invalid_task");
    cases.forEach((body, code) -> {
      HttpResponse<String> response = post(body);
      assertEquals(400, response.statusCode(), body.length() > 80 ? body.substring(0, 80) : body);
      assertEquals(code, json(response).get("error").asText(), response.body());
      assertTrue(json(response).get("message").asText().length() > 0);
    });
    HttpResponse<String> badKey = post("{\"type\":\"sleep\",\"input\":{\"ms\":1}}", "Idempotency-Key", "k".repeat(300));
    assertEquals(400, badKey.statusCode());
  }

  @Test
  void unknownTasksAre404() {
    assertEquals(404, HttpJson.status(base + "/v1/tasks/no-such-task"));
    assertEquals(404, HttpJson.send("DELETE", base + "/v1/tasks/no-such-task").statusCode());
  }

  @Test
  void cancellingAPendingOrRunningTaskAndNotAFinishedOne() {
    String id = json(post("{\"type\":\"sleep\",\"input\":{\"ms\":60000},\"timeoutMs\":120000}")).get("id").asText();
    HttpResponse<String> cancelled = HttpJson.send("DELETE", base + "/v1/tasks/" + id);
    assertEquals(200, cancelled.statusCode(), cancelled.body());
    assertEquals("CANCELLED", json(cancelled).get("status").asText());
    assertEquals(200, HttpJson.send("DELETE", base + "/v1/tasks/" + id).statusCode(), "cancelling again is fine");

    String finished = json(post("{\"type\":\"sleep\",\"input\":{\"ms\":1}}")).get("id").asText();
    assertEquals("SUCCEEDED", awaitFinished(finished).get("status").asText());
    HttpResponse<String> tooLate = HttpJson.send("DELETE", base + "/v1/tasks/" + finished);
    assertEquals(409, tooLate.statusCode());
    assertEquals("already_finished", json(tooLate).get("error").asText());
    assertEquals("SUCCEEDED", HttpJson.getJson(base + "/v1/tasks/" + finished).get("status").asText());
  }

  @Test
  void listingFiltersByStatus() {
    String id = json(post("{\"type\":\"fail\",\"maxAttempts\":1}")).get("id").asText();
    assertEquals("FAILED", awaitFinished(id).get("status").asText());
    await().atMost(Duration.ofSeconds(15)).until(() -> HttpJson.getJson(base + "/v1/tasks?status=failed&limit=1000")
        .get("tasks").findValuesAsText("id").contains(id));
    assertEquals(400, HttpJson.status(base + "/v1/tasks?status=bogus"));
    assertEquals(400, HttpJson.status(base + "/v1/tasks?limit=0"));
  }

  @Test
  void wordcountCountsTextAndKeyValueValues() {
    for (String[] kv : new String[][] {{"wc-1", "the cat and the hat"}, {"wc-2", "The end"}}) {
      HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + kv[0]))
          .PUT(HttpRequest.BodyPublishers.ofString(kv[1])));
    }
    JsonNode fromKeys = awaitFinished(json(post("{\"type\":\"wordcount\",\"input\":{\"keys\":[\"wc-1\",\"wc-2\"]}}"))
        .get("id").asText());
    assertEquals(7, fromKeys.get("result").get("words").asInt(), fromKeys.toString());
    assertEquals("the", fromKeys.get("result").get("top").get(0).get("word").asText());
    assertEquals(3, fromKeys.get("result").get("top").get(0).get("count").asInt());

    JsonNode fromText = awaitFinished(json(post("{\"type\":\"wordcount\",\"input\":{\"text\":\"a b a\"}}")).get("id").asText());
    assertEquals(2, fromText.get("result").get("distinct").asInt());

    JsonNode missing = awaitFinished(json(post("{\"type\":\"wordcount\",\"input\":{\"keys\":[\"wc-none\"]},\"maxAttempts\":3}"))
        .get("id").asText());
    assertEquals("FAILED", missing.get("status").asText());
    assertEquals(1, missing.get("attempts").asInt(), "a missing key is not worth a retry");
  }

  @Test
  void workersShowThisNodesPool() {
    JsonNode workers = await().atMost(Duration.ofSeconds(10)).until(() -> HttpJson.getJson(base + "/v1/workers"),
        w -> w.get("workers").size() == 1);
    JsonNode pool = workers.get("workers").get(0);
    assertEquals(4, pool.get("slots").asInt());
    assertTrue(pool.get("busy").asInt() >= 0 && pool.get("busy").asInt() <= 4);
    assertTrue(pool.get("stuck").asInt() >= 0 && pool.get("stuck").asInt() <= pool.get("busy").asInt(),
        "stuck slots are busy ones whose interrupted handler has not returned: " + pool);
    JsonNode scheduler = await().atMost(Duration.ofSeconds(10)).until(
        () -> HttpJson.getJson(base + "/v1/workers").get("scheduler"), s -> s != null && !s.isNull());
    assertTrue(scheduler.get("epoch").asLong() >= 1, scheduler.toString());
    assertEquals(1, scheduler.get("workers").asInt(), scheduler.toString());
    assertTrue(scheduler.has("queued") && scheduler.has("running") && scheduler.has("undelivered"), scheduler.toString());
  }
}
