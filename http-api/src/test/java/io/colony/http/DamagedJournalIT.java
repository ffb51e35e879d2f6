package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.testkit.FreePorts;
import io.colony.testkit.H2Server;
import io.colony.testkit.HttpJson;
import io.colony.testkit.NodeProcess;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A damaged journal database (a copy of a real one whose file headers the test overwrites) is
 * reported, not looped on: the node runs, {@code /ready} is 503 with the reason, data requests
 * get a JSON 503 at once, and the log says it once, without a stack trace per request.
 */
@ExtendWith(LogCapturingExtension.class)
class DamagedJournalIT {

  private static final Path DIR = Path.of("target", "it-logs", "damaged-journal").toAbsolutePath();

  @Test
  void aDamagedDatabaseMakesTheNodeNotReadyWithTheReasonAndOneLogLine() throws IOException {
    Path healthy = DIR.resolve("healthy-db");
    Path damaged = DIR.resolve("damaged-db");
    deleteRecursively(DIR);
    try (H2Server h2 = H2Server.start(healthy); NodeProcess node = single("writer", h2)) {
      awaitReady(node);
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> put = HttpJson.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/kv/k" + i))
            .PUT(HttpRequest.BodyPublishers.ofString("value " + i)));
        assertEquals(200, put.statusCode(), put.body());
      }
      node.terminate();
      node.waitForExit(Duration.ofSeconds(60));
    }
    Files.createDirectories(damaged);
    Files.copy(healthy.resolve("colony.mv.db"), damaged.resolve("colony.mv.db"));
    try (RandomAccessFile file = new RandomAccessFile(damaged.resolve("colony.mv.db").toFile(), "rw")) {
      file.write(new byte[8192]); // both MVStore file headers
    }

    try (H2Server h2 = H2Server.start(damaged); NodeProcess node = single("on-damaged", h2)) {
      JsonNode ready = await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
          .until(() -> HttpJson.json(HttpJson.get(node.url() + "/ready")), body -> body.has("journal"));
      assertEquals("not_ready", ready.get("status").asText(), ready.toString());
      assertEquals("damaged", ready.get("journal").asText(), ready.toString());
      assertTrue(ready.get("reason").asText().contains("File corrupted"), ready.toString());
      assertEquals(503, HttpJson.get(node.url() + "/ready").statusCode());

      for (int i = 0; i < 20; i++) {
        HttpResponse<String> get = HttpJson.get(node.url() + "/v1/kv/k" + i);
        assertEquals(503, get.statusCode(), get.body());
        assertTrue(get.body().contains("damaged"), get.body());
        HttpResponse<String> put = HttpJson.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/kv/k" + i))
            .PUT(HttpRequest.BodyPublishers.ofString("new")));
        assertEquals(503, put.statusCode(), put.body());
        assertEquals("unavailable", HttpJson.json(put).get("error").asText());
      }
      assertTrue(node.isAlive(), "the node runs on, not ready, instead of exiting into a restart loop");
      String log = Files.readString(DIR.resolve(node.name() + ".log"));
      assertEquals(1, count(log, "THE JOURNAL DATABASE IS DAMAGED"), log);
      assertTrue(log.contains("bin/colony restore"), "the log says what to do");
      assertTrue(count(log, "\tat ") < 40, "no stack trace per request or per entity: " + count(log, "\tat ") + "\n" + log);
    }
  }

  private static NodeProcess single(String name, H2Server h2) {
    int remote = FreePorts.next();
    Map<String, String> env = new HashMap<>(h2.env());
    env.put("COLONY_SEED_NODES", "127.0.0.1:" + remote);
    return NodeProcess.start(name, DIR, FreePorts.next(), remote, env);
  }

  private static void awaitReady(NodeProcess node) {
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> HttpJson.get(node.url() + "/ready").statusCode() == 200);
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
