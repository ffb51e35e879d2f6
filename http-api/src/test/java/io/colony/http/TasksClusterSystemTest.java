package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.testkit.HttpJson;
import io.colony.testkit.NodeProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Tasks on three real node processes, one scenario per test on one cluster. First the promise
 * behind a 202, checked without touching what is checked: clients stream tasks to one node, which is killed with kill -9 mid-stream
 * (the scheduler's node, then a node that only accepted tasks), then the whole cluster is
 * stopped with SIGTERM and started again with tasks pending. No task is read by id until the
 * scheduler reports the cluster quiet (nothing queued, every outcome delivered), since a read
 * wakes a task's record; then every accepted task must have SUCCEEDED before that first read.
 * Then retries and timeouts end in FAILED after exactly maxAttempts, a cancelled task ends
 * CANCELLED and never runs again, and tasks run where they were submitted.
 */
abstract class TasksClusterSystemTest extends ThreeNodeSystemTest {

  private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
  private static final String NO_OP = "{\"type\":\"sleep\",\"input\":{\"ms\":0}}";
  private static final int CLIENTS = 8;
  private static final int KILL_AFTER_ACCEPTED = 150;

  @Test
  @Order(1)
  void aKill9OfTheSchedulersNodeMidStreamOfSubmissionsLosesNoAcceptedTask() {
    restartDeadNodes();
    int oldest = oldest(cluster.nodes()[0]);
    List<String> accepted = streamThenKill(oldest);
    assertAllSucceededBeforeFirstRead(accepted, cluster.others(oldest), "scheduler's node killed");
  }

  @Test
  @Order(2)
  void aKill9OfANodeThatOnlyAcceptedTasksLosesNone() {
    // Its task records die with it; the scheduler lives on another node.
    restartDeadNodes();
    int other = (oldest(cluster.nodes()[0]) + 1) % 3;
    List<String> accepted = streamThenKill(other);
    assertAllSucceededBeforeFirstRead(accepted, cluster.others(other), "a non-scheduler node killed");
  }

  @Test
  @Order(3)
  void tasksPendingWhenTheWholeClusterStopsWithSigtermRunAfterItStartsAgain() {
    restartDeadNodes();
    List<String> pending = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      pending.add(submit(cluster.node(i % 3), "{\"type\":\"sleep\",\"input\":{\"ms\":300}}"));
    }
    for (NodeProcess node : cluster.nodes()) {
      node.terminate();
    }
    for (NodeProcess node : cluster.nodes()) {
      assertEquals(0, node.waitForExit(Duration.ofSeconds(60)), node.name() + " exits cleanly on SIGTERM");
    }
    cluster.startAll("after-full-restart");
    cluster.awaitAllUp();
    assertAllSucceededBeforeFirstRead(pending, cluster.nodes(), "full-cluster restart");
  }

  @Test
  @Order(4)
  void aTaskThatAlwaysThrowsFailsAfterExactlyMaxAttemptsAndCannotBeCancelledThen() {
    restartDeadNodes();
    String failing = submit(cluster.node(0), "{\"type\":\"fail\",\"maxAttempts\":3}");
    JsonNode failed = awaitTerminal(List.of(failing), cluster.nodes(), Duration.ofSeconds(60)).get(failing);
    assertEquals("FAILED", failed.get("status").asText());
    assertEquals(3, failed.get("attempts").asInt(), failed.toString());
    assertEquals(409, HttpJson.send("DELETE", cluster.node(1).url() + "/v1/tasks/" + failing).statusCode(),
        "a finished task cannot be cancelled");
  }

  @Test
  @Order(5)
  void anAttemptOverItsTimeoutIsCutOffAndTheTaskFailsAfterMaxAttempts() {
    restartDeadNodes();
    String slow = submit(cluster.node(1),
        "{\"type\":\"sleep\",\"input\":{\"ms\":5000},\"timeoutMs\":300,\"maxAttempts\":2}");
    JsonNode failed = awaitTerminal(List.of(slow), cluster.nodes(), Duration.ofSeconds(60)).get(slow);
    assertEquals("FAILED", failed.get("status").asText());
    assertEquals(2, failed.get("attempts").asInt(), failed.toString());
    assertTrue(failed.get("error").asText().contains("timed out"), failed.toString());
  }

  @Test
  @Order(6)
  void aCancelledRunningTaskEndsCancelledAndNeverRunsAgain() {
    restartDeadNodes();
    NodeProcess[] nodes = cluster.nodes();
    String longTask = submit(nodes[0], "{\"type\":\"sleep\",\"input\":{\"ms\":60000},\"timeoutMs\":120000}");
    await().atMost(Duration.ofSeconds(30)).until(() -> "RUNNING".equals(task(nodes[1], longTask).get("status").asText()));
    HttpResponse<String> cancel = HttpJson.send("DELETE", nodes[1].url() + "/v1/tasks/" + longTask);
    assertEquals(200, cancel.statusCode(), cancel.body());
    assertEquals("CANCELLED", HttpJson.json(cancel).get("status").asText());
    int attempts = task(nodes[0], longTask).get("attempts").asInt();
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> {
      JsonNode now = task(nodes[0], longTask);
      return "CANCELLED".equals(now.get("status").asText()) && now.get("attempts").asInt() == attempts;
    });
  }

  @Test
  @Order(7)
  void aTaskRunsOnTheNodeItWasSubmittedToWhileThatNodesWorkerHasAFreeSlot() {
    // Prefer-local placement: the task's record is there, so no go-ahead crosses the network.
    restartDeadNodes();
    NodeProcess[] nodes = cluster.nodes();
    List<String> local = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      local.add(submit(nodes[0], NO_OP));
    }
    Map<String, JsonNode> ran = awaitTerminal(local, nodes, Duration.ofSeconds(60));
    long ranThere = ran.values().stream().filter(t -> t.get("node").asText().equals(nodes[0].address())).count();
    assertTrue(ranThere >= 15, ranThere + " of 20 ran on the node they were submitted to: " + ran.values());
  }

  private int oldest(NodeProcess asked) {
    return cluster.indexOf(HttpJson.getJson(asked.url() + "/cluster/members").get("oldest").asText());
  }

  /**
   * {@value #CLIENTS} clients submit no-op tasks to node {@code target} until it is killed with
   * kill -9, once it has accepted {@value #KILL_AFTER_ACCEPTED}; answers the ids it accepted (202).
   */
  private List<String> streamThenKill(int target) {
    NodeProcess node = cluster.node(target);
    List<String> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicBoolean killed = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(CLIENTS);
    try {
      for (int c = 0; c < CLIENTS; c++) {
        clients.submit(() -> {
          while (!killed.get()) {
            try {
              HttpResponse<String> response = post(node, NO_OP);
              if (response.statusCode() == 202) {
                accepted.add(HttpJson.json(response).get("id").asText());
              }
            } catch (RuntimeException connectionLost) {
              // the node is being killed; anything not answered 202 was not accepted
            }
          }
        });
      }
      await().atMost(Duration.ofSeconds(90)).until(() -> accepted.size() >= KILL_AFTER_ACCEPTED);
      node.kill();
      killed.set(true);
    } finally {
      clients.shutdown();
      try {
        assertTrue(clients.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS), "clients stop");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return List.copyOf(accepted);
  }

  /**
   * Waits, without reading any task, until the scheduler reports nothing queued, running or
   * undelivered; then reads every task once: each must have SUCCEEDED before that first read.
   */
  private static void assertAllSucceededBeforeFirstRead(List<String> ids, NodeProcess[] alive, String when) {
    try {
      await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).until(() -> quiet(alive));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(when + ": the scheduler never became quiet: " + schedulerView(alive), e);
    }
    long firstRead = System.currentTimeMillis();
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      String url = alive[i % alive.length].url() + "/v1/tasks/" + ids.get(i);
      // A task record whose shard was being rebalanced onto a restarted node when another node
      // was killed stays unreachable until Pekko's handoff-timeout (1 min) ends that rebalance
      // (seen once in CI: "Shard [10] deallocation didn't complete within [1.000 min]"): an
      // availability gap, not a lost task; what is checked here is the task's state.
      JsonNode task = await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
          .until(() -> HttpJson.getJson(url),
              t -> t.has("status"));
      if (!"SUCCEEDED".equals(task.get("status").asText()) || task.get("finishedAt").isNull()
          || task.get("finishedAt").asLong() >= firstRead) {
        wrong.add(task.toString());
      }
    }
    assertTrue(wrong.isEmpty(), when + ": " + wrong.size() + " of " + ids.size()
        + " accepted tasks had not succeeded by themselves before the first read: " + wrong);
  }

  private static boolean quiet(NodeProcess[] alive) {
    JsonNode scheduler = schedulerView(alive);
    return scheduler != null && scheduler.get("queued").asInt() == 0 && scheduler.get("running").asInt() == 0
        && scheduler.get("undelivered").asInt() == 0;
  }

  /** The scheduler's counts as a node reports them in /v1/workers; null while it does not answer. */
  private static JsonNode schedulerView(NodeProcess[] alive) {
    for (NodeProcess node : alive) {
      try {
        HttpResponse<String> response = HttpJson.get(node.url() + "/v1/workers");
        if (response.statusCode() == 200) {
          JsonNode scheduler = HttpJson.json(response).get("scheduler");
          return scheduler == null || scheduler.isNull() ? null : scheduler;
        }
      } catch (RuntimeException notNow) {
        // try the next node
      }
    }
    return null;
  }

  private static HttpResponse<String> post(NodeProcess node, String body) {
    return HttpJson.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/tasks"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
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
