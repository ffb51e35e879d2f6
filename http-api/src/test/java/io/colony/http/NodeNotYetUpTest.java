package io.colony.http;

import static io.colony.http.testing.HttpJson.get;
import static io.colony.http.testing.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.colony.http.testing.FreePorts;
import io.colony.http.testing.HttpJson;
import io.colony.runtime.NodeConfig;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

/** A node whose seed nodes never answer serves HTTP but is alive, not ready. */
class NodeNotYetUpTest {

  @Test
  void aliveButNotReadyUntilItJoins() {
    int httpPort = FreePorts.next();
    int nobody = FreePorts.next();
    ColonyNode node = ColonyNode.start(NodeConfig.load(Map.of(
        "COLONY_HTTP_PORT", String.valueOf(httpPort),
        "COLONY_REMOTE_PORT", String.valueOf(FreePorts.next()),
        "COLONY_SEED_NODES", "127.0.0.1:" + nobody)));
    try {
      String base = "http://127.0.0.1:" + httpPort;
      await().atMost(Duration.ofSeconds(20)).until(() -> HttpJson.status(base + "/alive") == 200);

      HttpResponse<String> ready = get(base + "/ready");
      assertEquals(503, ready.statusCode());
      assertEquals("not_ready", json(ready).get("status").asText());
    } finally {
      ActorTestKit.shutdown(node.system());
    }
  }
}
