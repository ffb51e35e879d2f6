package io.colony.http;

import static io.colony.testkit.HttpJson.get;
import static io.colony.testkit.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.http.testing.InJvmNode;
import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node whose seed nodes never answer serves HTTP but is alive, not ready, and a key it
 * cannot reach answers 503 with Retry-After instead of hanging.
 */
@ExtendWith(LogCapturingExtension.class)
class NodeNotYetUpTest {

  @Test
  void aliveButNotReadyUntilItJoins() {
    int httpPort = FreePorts.next();
    int nobody = FreePorts.next();
    ColonyNode node = ColonyNode.start(InJvmNode.config(
        httpPort, FreePorts.next(), Map.of("COLONY_SEED_NODES", "127.0.0.1:" + nobody), "colony.http.ask-timeout = 1s"));
    try {
      String base = "http://127.0.0.1:" + httpPort;
      await().atMost(Duration.ofSeconds(20)).until(() -> HttpJson.status(base + "/alive") == 200);

      HttpResponse<String> ready = get(base + "/ready");
      assertEquals(503, ready.statusCode());
      assertEquals("not_ready", json(ready).get("status").asText());

      // No cluster, so no shard can be allocated: the entity never answers.
      HttpResponse<String> put = HttpJson.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/kv/k"))
          .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("v")));
      assertEquals(503, put.statusCode(), put.body());
      assertEquals("unavailable", json(put).get("error").asText());
      assertTrue(put.headers().firstValue("Retry-After").isPresent());
    } finally {
      ActorTestKit.shutdown(node.system());
    }
  }
}
