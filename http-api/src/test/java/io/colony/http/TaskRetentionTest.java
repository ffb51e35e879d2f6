package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.http.testing.InJvmNode;
import io.colony.persistence.projection.ReadSideDatabase;
import io.colony.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Finished tasks are forgotten after {@code colony.tasks.retention} (3 s here, swept every
 * 500 ms): gone from the listing and from the journal, and {@code GET} gives 404 once the record
 * has left memory (idle records are passivated after 1 s here). Unfinished tasks stay.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class TaskRetentionTest {

  private ColonyNode node;
  private String base;

  @BeforeAll
  void startNode() {
    InJvmNode.Started started = InJvmNode.startReady("""
        colony.tasks.retention = 3s
        colony.tasks.retention-sweep-interval = 500ms
        pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout = 1s
        """);
    node = started.node();
    base = started.base();
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  @Test
  void aFinishedTaskIsForgottenAfterTheRetentionAndAnUnfinishedOneIsNot() throws SQLException {
    String done = submit("{\"type\":\"sleep\",\"input\":{\"ms\":1}}");
    String running = submit("{\"type\":\"sleep\",\"input\":{\"ms\":60000},\"timeoutMs\":120000}");
    await().atMost(Duration.ofSeconds(20)).until(() -> "SUCCEEDED".equals(status(done)));
    await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50)).until(() -> listed(done));
    List<Long> doneEvents = journalOrderings(done);
    assertFalse(doneEvents.isEmpty());

    await().atMost(Duration.ofSeconds(15)).until(() -> !listed(done) && journalOrderings(done).isEmpty());
    assertEquals(0, tagRows(doneEvents), "its tags went with its events");
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(2))
        .until(() -> HttpJson.status(base + "/v1/tasks/" + done) == 404);

    assertTrue(listed(running), "a running task is kept however old it is");
    assertFalse(journalOrderings(running).isEmpty());

    HttpResponse<String> cancelled = HttpJson.send("DELETE", base + "/v1/tasks/" + running);
    assertEquals(200, cancelled.statusCode(), cancelled.body());
    await().atMost(Duration.ofSeconds(15)).until(() -> !listed(running) && journalOrderings(running).isEmpty());
  }

  private String submit(String body) {
    HttpResponse<String> accepted = HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/v1/tasks"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(202, accepted.statusCode(), accepted.body());
    return json(accepted).get("id").asText();
  }

  private String status(String id) {
    return HttpJson.getJson(base + "/v1/tasks/" + id).path("status").asText();
  }

  private boolean listed(String id) {
    for (JsonNode task : HttpJson.getJson(base + "/v1/tasks?type=sleep&limit=100").get("tasks")) {
      if (task.get("id").asText().equals(id)) {
        return true;
      }
    }
    return false;
  }

  private List<Long> journalOrderings(String taskId) throws SQLException {
    try (Connection connection = ReadSideDatabase.get(node.system()).dataSource().getConnection();
        PreparedStatement select = connection.prepareStatement(
            "SELECT \"ordering\" FROM \"event_journal\" WHERE \"persistence_id\" = ?")) {
      select.setString(1, "task|" + taskId);
      List<Long> orderings = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          orderings.add(rows.getLong(1));
        }
      }
      return orderings;
    }
  }

  private long tagRows(List<Long> orderings) throws SQLException {
    String in = orderings.stream().map(String::valueOf).collect(Collectors.joining(", "));
    try (Connection connection = ReadSideDatabase.get(node.system()).dataSource().getConnection();
        PreparedStatement select = connection.prepareStatement(
            "SELECT COUNT(*) FROM \"event_tag\" WHERE \"event_id\" IN (" + in + ")");
        ResultSet rows = select.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
