package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.http.testing.HttpJson;
import io.colony.http.testing.NodeProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Tasks on three real node processes: kill -9 of the node hosting the scheduler singleton
 * mid-run loses no task, retries and timeouts end in FAILED after exactly maxAttempts, and a
 * cancelled task ends CANCELLED and never runs again.
 */
abstract class TasksClusterSystemTest extends ThreeNodeSystemTest {

  private static final int SLEEP_TASKS = 200;
  private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");


  @Test
  void everyTaskEndsWithOneOutcomeAcrossASchedulerFailover() {
    startCluster();
    NodeProcess[] nodes = cluster.nodes();

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < SLEEP_TASKS; i++) {
      ids.add(submit(nodes[i % 3], "{\"type\":\"sleep\",\"input\":{\"ms\":1000},\"timeoutMs\":20000,\"maxAttempts\":3}"));
    }

    // Mid-run, kill -9 the oldest member: it hosts the scheduler singleton.
    await().atMost(Duration.ofSeconds(60)).until(() -> count(nodes[0], "SUCCEEDED") >= 20);
    int oldest = cluster.indexOf(HttpJson.getJson(nodes[0].url() + "/cluster/members").get("oldest").asText());
    cluster.node(oldest).kill();
    NodeProcess[] survivors = cluster.others(oldest);

    Map<String, JsonNode> finals = awaitTerminal(ids, survivors, Duration.ofSeconds(180));
    for (String id : ids) {
      JsonNode task = finals.get(id);
      assertEquals("SUCCEEDED", task.get("status").asText(), task.toString());
      assertEquals(1000, task.get("result").get("sleptMs").asInt(), task.toString());
      assertTrue(task.get("attempts").asInt() >= 1, task.toString());
    }

    // Retries: fail always throws; exactly maxAttempts attempts, then FAILED.
    String failing = submit(survivors[0], "{\"type\":\"fail\",\"maxAttempts\":3}");
    // Timeouts: each attempt is cut off after 300 ms; two attempts, then FAILED.
    String slow = submit(survivors[1], "{\"type\":\"sleep\",\"input\":{\"ms\":5000},\"timeoutMs\":300,\"maxAttempts\":2}");
    Map<String, JsonNode> failed = awaitTerminal(List.of(failing, slow), survivors, Duration.ofSeconds(60));
    assertEquals("FAILED", failed.get(failing).get("status").asText());
    assertEquals(3, failed.get(failing).get("attempts").asInt(), failed.get(failing).toString());
    assertEquals("FAILED", failed.get(slow).get("status").asText());
    assertEquals(2, failed.get(slow).get("attempts").asInt(), failed.get(slow).toString());
    assertTrue(failed.get(slow).get("error").asText().contains("timed out"), failed.get(slow).toString());

    // Cancellation of a running task: CANCELLED, and it never runs again.
    String longTask = submit(survivors[0], "{\"type\":\"sleep\",\"input\":{\"ms\":60000},\"timeoutMs\":120000}");
    await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(task(survivors[1], longTask).get("status").asText()));
    HttpResponse<String> cancel = HttpJson.send("DELETE", survivors[1].url() + "/v1/tasks/" + longTask);
    assertEquals(200, cancel.statusCode(), cancel.body());
    assertEquals("CANCELLED", HttpJson.json(cancel).get("status").asText());
    int attempts = task(survivors[0], longTask).get("attempts").asInt();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> {
      JsonNode now = task(survivors[0], longTask);
      return "CANCELLED".equals(now.get("status").asText()) && now.get("attempts").asInt() == attempts;
    });
    assertEquals(409, HttpJson.send("DELETE", survivors[0].url() + "/v1/tasks/" + failing).statusCode(),
        "a finished task cannot be cancelled");

    // Prefer-local placement: a task submitted to a node gets its record there, and while that
    // node's worker has a free slot the task runs there too (no go-ahead crosses the network).
    List<String> local = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      local.add(submit(survivors[0], "{\"type\":\"sleep\",\"input\":{\"ms\":0}}"));
    }
    Map<String, JsonNode> ran = awaitTerminal(local, survivors, Duration.ofSeconds(60));
    long ranThere = ran.values().stream().filter(t -> t.get("node").asText().equals(survivors[0].address())).count();
    assertTrue(ranThere >= 15, ranThere + " of 20 ran on the node they were submitted to: " + ran.values());
  }

  private static String submit(NodeProcess node, String body) {
    HttpResponse<String> response = HttpJson.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/tasks"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(202, response.statusCode(), response.body());
    return HttpJson.json(response).get("id").asText();
  }

  private static JsonNode task(NodeProcess node, String id) {
    return HttpJson.getJson(node.url() + "/v1/tasks/" + id);
  }

  private static int count(NodeProcess node, String status) {
    return HttpJson.getJson(node.url() + "/v1/tasks?status=" + status + "&limit=1000").get("tasks").size();
  }

  /** Polls until every task is terminal; answers (or a 503 while shards move) are retried. */
  private static Map<String, JsonNode> awaitTerminal(List<String> ids, NodeProcess[] nodes, Duration within) {
    Map<String, JsonNode> done = new HashMap<>();
    long deadline = System.nanoTime() + within.toNanos();
    int round = 0;
    while (done.size() < ids.size()) {
      for (int i = 0; i < ids.size(); i++) {
        String id = ids.get(i);
        if (done.containsKey(id)) {
          continue;
        }
        try {
          HttpResponse<String> response = HttpJson.get(nodes[(i + round) % nodes.length].url() + "/v1/tasks/" + id);
          if (response.statusCode() == 200) {
            JsonNode task = HttpJson.json(response);
            if (TERMINAL.contains(task.get("status").asText())) {
              done.put(id, task);
            }
          }
        } catch (java.io.UncheckedIOException notNow) {
          // a node busy taking over; asked again next round
        }
      }
      if (done.size() < ids.size()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError((ids.size() - done.size()) + " tasks not finished within " + within);
        }
        await().pollDelay(Duration.ofMillis(500)).until(() -> true);
      }
      round++;
    }
    return done;
  }
}
