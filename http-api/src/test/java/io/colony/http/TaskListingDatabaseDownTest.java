package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.http.testing.InJvmNode;
import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** The listing is a database query: when the database is gone it answers 503 with Retry-After, in bounded time. */
@ExtendWith(LogCapturingExtension.class)
class TaskListingDatabaseDownTest {

  @TempDir
  Path dir;
  private Server database;
  private ColonyNode node;

  @AfterEach
  void stopAll() {
    if (node != null) {
      ActorTestKit.shutdown(node.system());
    }
    if (database != null) {
      database.stop();
    }
  }

  @Test
  void aListingWithoutItsDatabaseIs503WithRetryAfter() throws java.sql.SQLException {
    int dbPort = FreePorts.next();
    database = Server.createTcpServer("-tcpPort", String.valueOf(dbPort), "-ifNotExists", "-baseDir", dir.toString())
        .start();
    InJvmNode.Started started = InJvmNode.startReady(
        Map.of("COLONY_DB_URL", "jdbc:h2:tcp://127.0.0.1:" + dbPort + "/colony",
            "COLONY_DATA_DIR", dir.resolve("node").toString()), "");
    node = started.node();
    String base = started.base();
    assertEquals(200, HttpJson.status(base + "/v1/tasks"));

    database.stop();
    long start = System.nanoTime();
    HttpResponse<String> response = HttpJson.get(base + "/v1/tasks?limit=10");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(503, response.statusCode(), response.body());
    assertEquals("unavailable", json(response).get("error").asText());
    assertTrue(response.headers().firstValue("Retry-After").isPresent());
    assertTrue(millis < 4_500, "answered within the query timeout (3 s), took " + millis + " ms");
  }
}
