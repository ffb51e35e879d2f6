package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.colony.http.testing.InJvmNode;
import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An entity type that remembers its entities gets them restarted by sharding without a
 * message, even after the whole cluster stopped: what lets a transfer saga finish on its own.
 */
@ExtendWith(LogCapturingExtension.class)
class RememberEntitiesTest {

  @Test
  void rememberedEntitiesRestartAfterAFullClusterRestartWithoutAMessage() {
    Map<String, String> sharedJournal = Map.of("COLONY_DB_URL", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    String id = UUID.randomUUID().toString();

    ColonyNode first = start(sharedJournal);
    try {
      wake(first, "wakeful", id);
      wake(first, "forgetful", id);
      assertEquals(1, WakefulEntityType.STARTS.get("wakeful/" + id));
    } finally {
      ActorTestKit.shutdown(first.system());
    }

    ColonyNode second = start(sharedJournal);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> WakefulEntityType.STARTS.get("wakeful/" + id) == 2);
      assertEquals(1, WakefulEntityType.STARTS.get("forgetful/" + id), "an entity of a type that does not remember waits for a message");
    } finally {
      ActorTestKit.shutdown(second.system());
    }
  }

  private static ColonyNode start(Map<String, String> env) {
    int httpPort = FreePorts.next();
    ColonyNode node = ColonyNode.start(InJvmNode.config(httpPort, FreePorts.next(), env, ""));
    await().atMost(Duration.ofSeconds(20)).until(() -> HttpJson.status(url(node) + "/ready") == 200);
    return node;
  }

  private static String url(ColonyNode node) {
    return "http://127.0.0.1:" + node.system().settings().config().getInt("colony.node.http-port");
  }

  private static void wake(ColonyNode node, String type, String id) {
    var response = HttpJson.send(HttpRequest.newBuilder(URI.create(url(node) + "/v1/entities/" + type + "/" + id))
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"wake\"}")));
    assertEquals(200, response.statusCode(), response.body());
  }
}
