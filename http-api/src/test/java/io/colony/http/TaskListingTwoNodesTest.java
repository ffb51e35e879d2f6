package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.http.testing.InJvmNode;
import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes (two ActorSystems in this JVM) in one cluster on one H2 TCP server: the listing's
 * projection runs once in the cluster, and both nodes serve the same pages from its table.
 */
@ExtendWith(LogCapturingExtension.class)
class TaskListingTwoNodesTest {

  private static final int TASKS = 12;

  @TempDir
  Path dir;
  private Server database;
  private final List<ColonyNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(node -> ActorTestKit.shutdown(node.system()));
    if (database != null) {
      database.stop();
    }
  }

  @Test
  void twoNodesListTheSamePages() throws SQLException {
    int dbPort = FreePorts.next();
    database = Server.createTcpServer("-tcpPort", String.valueOf(dbPort), "-ifNotExists",
        "-baseDir", dir.toString()).start();
    int[] http = {FreePorts.next(), FreePorts.next()};
    int[] remote = {FreePorts.next(), FreePorts.next()};
    String[] urls = new String[2];
    for (int i = 0; i < 2; i++) {
      Map<String, String> env = Map.of(
          "COLONY_SEED_NODES", "127.0.0.1:" + remote[0] + ",127.0.0.1:" + remote[1],
          "COLONY_DB_URL", "jdbc:h2:tcp://127.0.0.1:" + dbPort + "/colony",
          "COLONY_DATA_DIR", dir.resolve("node-" + i).toString());
      nodes.add(ColonyNode.start(InJvmNode.config(http[i], remote[i], env,
          "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on")));
      urls[i] = "http://127.0.0.1:" + http[i];
    }
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> upMembers(urls[0]) == 2 && upMembers(urls[1]) == 2);

    Set<String> ids = new HashSet<>();
    for (int i = 0; i < TASKS; i++) {
      HttpResponse<String> accepted = HttpJson.send(HttpRequest.newBuilder(URI.create(urls[i % 2] + "/v1/tasks"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"sleep\",\"input\":{\"ms\":1}}")));
      assertEquals(202, accepted.statusCode(), accepted.body());
      ids.add(json(accepted).get("id").asText());
    }
    for (String id : ids) {
      await().atMost(Duration.ofSeconds(30))
          .until(() -> "SUCCEEDED".equals(HttpJson.getJson(urls[0] + "/v1/tasks/" + id).path("status").asText()));
    }

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      List<JsonNode> first = pages(urls[0]);
      List<JsonNode> second = pages(urls[1]);
      assertEquals(first, second, "both nodes list the same pages");
      assertEquals(3, first.size(), "12 tasks in pages of 5");
      Set<String> listed = new HashSet<>();
      first.forEach(page -> page.get("tasks").forEach(task -> {
        listed.add(task.get("id").asText());
        assertEquals("SUCCEEDED", task.get("status").asText(), task.toString());
      }));
      assertEquals(ids, listed);
    });
  }

  private static int upMembers(String url) {
    JsonNode members = HttpJson.getJson(url + "/cluster/members").path("members");
    int up = 0;
    for (JsonNode member : members) {
      up += "Up".equals(member.path("status").asText()) ? 1 : 0;
    }
    return up;
  }

  private static List<JsonNode> pages(String url) {
    return HttpJson.pages(url + "/v1/tasks?limit=5", 10);
  }
}
