package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.colony.http.testing.InJvmNode;
import io.colony.tasks.Outcome;
import io.colony.tasks.TaskRecord;
import io.colony.tasks.TaskSpec;
import io.colony.tasks.TaskStatus;
import io.colony.testkit.HttpJson;
import io.colony.testkit.ReadSideSql;
import io.colony.testkit.TaskJournal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /v1/tasks} of a real single-node cluster over real HTTP, served from the listing
 * table: 10,000 tasks written to the journal as their records would, then paged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class TaskListingTest {

  private static final int SEEDED = 10_000;
  private static final String[] TYPES = {"pi", "sleep", "fail"};

  /** What the listing should say of a seeded task. */
  private record Expected(String id, String type, TaskStatus status, int attempts, String node, long submittedAt,
      Long startedAt, Long finishedAt) {}

  private ColonyNode node;
  private String base;
  private final List<Expected> seeded = new ArrayList<>();

  @BeforeAll
  void startNodeAndSeedTasks() {
    InJvmNode.Started started = InJvmNode.startReady("");
    node = started.node();
    base = started.base();
    long newest = System.currentTimeMillis() - 60_000;
    Map<String, List<TaskRecord.Event>> journal = new LinkedHashMap<>();
    for (int i = 0; i < SEEDED; i++) {
      String id = String.format("seed-%05d", i);
      String type = TYPES[i % TYPES.length];
      long submittedAt = newest - i / 3; // three tasks share each time: the id breaks the tie
      TaskRecord.Submitted submitted = new TaskRecord.Submitted(
          new TaskSpec(id, type, JsonNodeFactory.instance.objectNode(), 30_000, 3, 0, submittedAt));
      switch (i % 4) {
        case 0 -> {
          journal.put(id, List.of(submitted));
          seeded.add(new Expected(id, type, TaskStatus.PENDING, 0, null, submittedAt, null, null));
        }
        case 1 -> {
          journal.put(id, List.of(submitted, new TaskRecord.AttemptStarted("t", "seed-node", submittedAt + 10, 1)));
          seeded.add(new Expected(id, type, TaskStatus.RUNNING, 1, "seed-node", submittedAt, submittedAt + 10, null));
        }
        case 2 -> {
          journal.put(id, List.of(submitted, new TaskRecord.Finished(Outcome.succeeded(IntNode.valueOf(i)),
              submittedAt + 20, 1, "seed-node", submittedAt + 10)));
          seeded.add(new Expected(id, type, TaskStatus.SUCCEEDED, 1, "seed-node", submittedAt, submittedAt + 10,
              submittedAt + 20));
        }
        default -> {
          journal.put(id, List.of(submitted, new TaskRecord.Cancelled(submittedAt + 30)));
          seeded.add(new Expected(id, type, TaskStatus.CANCELLED, 0, null, submittedAt, null, submittedAt + 30));
        }
      }
    }
    long writing = System.nanoTime();
    TaskJournal.write(node.system(), journal, 64);
    long projecting = System.nanoTime();
    await().atMost(Duration.ofSeconds(60)).until(() -> scalar("SELECT COUNT(*) FROM colony_tasks WHERE id LIKE 'seed-%'") == SEEDED);
    System.out.printf("seeded %d tasks: journal %d ms, then projected within %d ms%n", SEEDED,
        (projecting - writing) / 1_000_000, (System.nanoTime() - projecting) / 1_000_000);
    seeded.sort(Comparator.comparingLong(Expected::submittedAt).thenComparing(Expected::id).reversed());
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  @Test
  void pagesAreDisjointCompleteAndNewestFirst() throws SQLException {
    List<JsonNode> pages = pages("/v1/tasks?limit=1000");
    List<JsonNode> listed = tasksOf(pages);
    long rows = scalar("SELECT COUNT(*) FROM colony_tasks");
    assertEquals(rows, listed.size(), "every task once");
    assertEquals((rows + 999) / 1000, pages.size());
    for (int i = 0; i < pages.size() - 1; i++) {
      assertEquals(1000, pages.get(i).get("tasks").size());
      assertTrue(pages.get(i).get("next").isTextual());
    }
    assertTrue(pages.get(pages.size() - 1).get("next").isNull(), "the last page says so");

    Set<String> ids = new HashSet<>();
    for (JsonNode task : listed) {
      assertTrue(ids.add(task.get("id").asText()), "pages are disjoint: " + task);
    }
    for (int i = 1; i < listed.size(); i++) {
      JsonNode before = listed.get(i - 1);
      JsonNode after = listed.get(i);
      long a = before.get("submittedAt").asLong();
      long b = after.get("submittedAt").asLong();
      assertTrue(a > b || a == b && before.get("id").asText().compareTo(after.get("id").asText()) > 0,
          "newest first, then by id: " + before + " before " + after);
    }
    List<JsonNode> seededListed = listed.stream().filter(t -> t.get("id").asText().startsWith("seed-")).toList();
    assertEquals(SEEDED, seededListed.size());
    for (int i = 0; i < SEEDED; i++) {
      assertEquals(seeded.get(i), expected(seededListed.get(i)));
    }
  }

  @Test
  void statusAndTypeFilterTheListing() {
    List<JsonNode> cancelledPi = tasksOf(pages("/v1/tasks?status=cancelled&type=pi&limit=97"));
    List<Expected> expected = seeded.stream()
        .filter(t -> t.status() == TaskStatus.CANCELLED && t.type().equals("pi")).toList();
    assertEquals(expected, cancelledPi.stream().map(TaskListingTest::expected).toList());

    List<JsonNode> running = tasksOf(pages("/v1/tasks?status=RUNNING&limit=1000"));
    assertTrue(running.stream().allMatch(t -> t.get("status").asText().equals("RUNNING")));
    assertEquals(seeded.stream().filter(t -> t.status() == TaskStatus.RUNNING).toList(),
        running.stream().filter(t -> t.get("id").asText().startsWith("seed-")).map(TaskListingTest::expected).toList());

    List<JsonNode> fails = tasksOf(pages("/v1/tasks?type=fail&limit=500"));
    assertTrue(fails.stream().allMatch(t -> t.get("type").asText().equals("fail")));
    assertEquals(seeded.stream().filter(t -> t.type().equals("fail")).count(),
        fails.stream().filter(t -> t.get("id").asText().startsWith("seed-")).count());
  }

  @Test
  void badQueryParametersAre400WithAJsonReason() {
    for (String query : List.of("status=bogus", "type=no-such-type", "limit=0", "limit=1001", "limit=ten",
        "after=" + URLEncoder.encode("!!!", StandardCharsets.UTF_8), "after=bm9jb2xvbg", "status=")) {
      HttpResponse<String> response = HttpJson.get(base + "/v1/tasks?" + query);
      assertEquals(400, response.statusCode(), query + " → " + response.body());
      assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""), query);
      assertEquals("invalid_query", json(response).get("error").asText(), query);
      assertTrue(json(response).get("message").asText().length() > 10, query);
    }
  }

  @Test
  void aSubmittedTaskAndItsOutcomeAreListedWithinAboutASecond() {
    HttpResponse<String> accepted = HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/v1/tasks"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"sleep\",\"input\":{\"ms\":1500}}")));
    assertEquals(202, accepted.statusCode(), accepted.body());
    String id = json(accepted).get("id").asText();
    long submitted = System.nanoTime();
    await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> listedStatus(id) != null);
    long listed = System.nanoTime();

    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> HttpJson.getJson(base + "/v1/tasks/" + id).get("status").asText().equals("SUCCEEDED"));
    long finished = System.nanoTime();
    await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
        .until(() -> "SUCCEEDED".equals(listedStatus(id)));
    System.out.printf("listed %d ms after the 202; SUCCEEDED listed %d ms after the record had it%n",
        (listed - submitted) / 1_000_000, (System.nanoTime() - finished) / 1_000_000);
  }

  // --- helpers ---

  private String listedStatus(String id) {
    for (JsonNode task : HttpJson.getJson(base + "/v1/tasks?type=sleep&limit=10").get("tasks")) {
      if (task.get("id").asText().equals(id)) {
        return task.get("status").asText();
      }
    }
    return null;
  }

  /** Every page of a listing, following {@code next}; measures each request. */
  private List<JsonNode> pages(String first) {
    List<JsonNode> pages = new ArrayList<>();
    List<Long> micros = new ArrayList<>();
    String next = null;
    do {
      String url = base + first + (next == null ? "" : "&after=" + next);
      long start = System.nanoTime();
      HttpResponse<String> response = HttpJson.get(url);
      micros.add((System.nanoTime() - start) / 1_000);
      assertEquals(200, response.statusCode(), url + " → " + response.body());
      JsonNode page = json(response);
      pages.add(page);
      next = page.get("next").isNull() ? null : page.get("next").asText();
      assertTrue(pages.size() <= SEEDED + 100, "next never ends");
    } while (next != null);
    List<Long> sorted = micros.stream().sorted().toList();
    System.out.printf("%s: %d pages, median %.1f ms, max %.1f ms%n", first, pages.size(),
        sorted.get(sorted.size() / 2) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0);
    return pages;
  }

  private static List<JsonNode> tasksOf(List<JsonNode> pages) {
    List<JsonNode> tasks = new ArrayList<>();
    pages.forEach(page -> page.get("tasks").forEach(tasks::add));
    return tasks;
  }

  private static Expected expected(JsonNode task) {
    return new Expected(task.get("id").asText(), task.get("type").asText(),
        TaskStatus.valueOf(task.get("status").asText()), task.get("attempts").asInt(),
        task.get("node").isNull() ? null : task.get("node").asText(), task.get("submittedAt").asLong(),
        task.get("startedAt").isNull() ? null : task.get("startedAt").asLong(),
        task.get("finishedAt").isNull() ? null : task.get("finishedAt").asLong());
  }

  private long scalar(String sql) throws SQLException {
    return ReadSideSql.scalar(node.system(), sql);
  }
}
