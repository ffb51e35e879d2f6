package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.colony.http.testing.InJvmNode;
import io.colony.tasks.Outcome;
import io.colony.tasks.TaskRecord;
import io.colony.tasks.TaskSpec;
import io.colony.testkit.HttpJson;
import io.colony.testkit.Postgres;
import io.colony.testkit.ReadSideSql;
import io.colony.testkit.TaskJournal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The task listing's tables, queries and retention on PostgreSQL (the other tests use H2): one
 * in-JVM node, pages and filters over real HTTP, and expired tasks' journal rows deleted.
 */
@ExtendWith(LogCapturingExtension.class)
class TaskListingPostgresIT {

  private Postgres database;
  private ColonyNode node;

  @AfterEach
  void stopAll() {
    if (node != null) {
      ActorTestKit.shutdown(node.system());
    }
    if (database != null) {
      database.close();
    }
  }

  @Test
  void listingPagesFiltersAndRetentionOnPostgres() throws SQLException {
    database = Postgres.start();
    InJvmNode.Started started = InJvmNode.startReady(database.env(), """
        colony.tasks.retention = 1h
        colony.tasks.retention-sweep-interval = 500ms
        # Failsafe, unlike Surefire, does not turn this off; an in-JVM node must not end the test JVM.
        pekko.coordinated-shutdown.exit-jvm = off
        """);
    node = started.node();
    String base = started.base();

    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      HttpResponse<String> accepted = HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/v1/tasks"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"sleep\",\"input\":{\"ms\":1}}")));
      assertEquals(202, accepted.statusCode(), accepted.body());
      ids.add(json(accepted).get("id").asText());
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<JsonNode> pages = pages(base, "/v1/tasks?status=succeeded&type=sleep&limit=3");
      assertEquals(3, pages.size());
      assertEquals(ids, idsOf(pages));
    });

    // Tasks that finished two hours ago, with a retention of one hour: forgotten at the next sweep.
    long now = System.currentTimeMillis();
    Map<String, List<TaskRecord.Event>> old = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      String id = "old-" + i;
      old.put(id, List.of(
          new TaskRecord.Submitted(new TaskSpec(id, "pi", JsonNodeFactory.instance.objectNode(), 1000, 1, 0, now - 10_800_000)),
          new TaskRecord.Finished(Outcome.succeeded(JsonNodeFactory.instance.numberNode(i)), now - 7_200_000, 1, "n", null)));
    }
    TaskJournal.write(node.system(), old, 5);
    await().atMost(Duration.ofSeconds(15)).until(() ->
        scalar("SELECT COUNT(*) FROM event_journal WHERE persistence_id LIKE 'task|old-%'") == 0
            && scalar("SELECT COUNT(*) FROM colony_tasks WHERE id LIKE 'old-%'") == 0
            && scalar("SELECT COUNT(*) FROM event_tag t LEFT JOIN event_journal j ON j.ordering = t.event_id "
                + "WHERE j.ordering IS NULL") == 0);
    assertEquals(ids, idsOf(pages(base, "/v1/tasks?limit=100")), "the recent ones stay");
  }

  private static List<JsonNode> pages(String base, String first) {
    return HttpJson.pages(base + first, 100);
  }

  private static Set<String> idsOf(List<JsonNode> pages) {
    Set<String> ids = new HashSet<>();
    pages.forEach(page -> page.get("tasks").forEach(task -> ids.add(task.get("id").asText())));
    return ids;
  }

  private long scalar(String sql) throws SQLException {
    return ReadSideSql.scalar(node.system(), sql);
  }
}
