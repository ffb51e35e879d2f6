package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import io.colony.http.testing.InJvmNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.StreamSupport;
import io.colony.sharding.kv.KeyValueEntity;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three nodes as three ActorSystems in this JVM, each assembled by {@link ColonyNode#start} (the
 * code {@code Main} runs), in one cluster on one shared in-memory H2 journal: sharding spreads
 * the key-value entities over the nodes, an entity's answers (also its refusals and the 400 for a
 * command it does not handle) reach a client of any node, and when a node is downed its keys are
 * served by the others from the journal. Faster than the process tests and able to look inside (cluster state);
 * a real kill -9 is left to {@code KvClusterSystemTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(LogCapturingExtension.class)
class InJvmClusterTest {

  private static final int KEYS = 30;

  private final List<ColonyNode> nodes = new ArrayList<>();
  private final List<String> urls = new ArrayList<>();
  private final Map<String, String> written = new LinkedHashMap<>();

  @BeforeAll
  void startThreeNodes() {
    String journal = "jdbc:h2:mem:in-jvm-cluster-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    int[] remote = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    String seeds = "127.0.0.1:" + remote[0] + ",127.0.0.1:" + remote[1] + ",127.0.0.1:" + remote[2];
    for (int i = 0; i < 3; i++) {
      int http = FreePorts.next();
      nodes.add(ColonyNode.start(InJvmNode.config(http, remote[i],
          Map.of("COLONY_SEED_NODES", seeds, "COLONY_DB_URL", journal),
          "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on")));
      urls.add("http://127.0.0.1:" + http);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> nodes.stream().allMatch(node -> upMembers(node) == 3));
    await().atMost(Duration.ofSeconds(30)).until(() -> urls.stream().allMatch(url -> HttpJson.status(url + "/ready") == 200));
  }

  @AfterAll
  void stopAll() {
    nodes.forEach(node -> ActorTestKit.shutdown(node.system()));
  }

  @Test
  @Order(1)
  void aKeyWrittenThroughOneNodeReadsTheSameOnEveryNode() {
    for (int i = 0; i < KEYS; i++) {
      String key = "in-jvm-" + i;
      String value = "value " + i + " " + UUID.randomUUID();
      assertEquals(200, put(urls.get(i % 3), key, value).statusCode());
      written.put(key, value);
    }
    for (String url : urls) {
      written.forEach((key, value) -> assertEquals(value, HttpJson.get(url + "/v1/kv/" + key).body(), key + " on " + url));
    }
  }

  @Test
  @Order(2)
  void anEntityOnAnotherNodeAnswersAnUnhandledCommandWith400AndARefusalWith422() {
    // Each cart lives on one node and is asked through all three, so most answers cross nodes.
    for (int i = 0; i < 6; i++) {
      String cart = "/v1/entities/cart/in-jvm-" + i;
      assertEquals(200, post(urls.get(0), cart, "{\"type\":\"add\",\"item\":\"tea\",\"quantity\":1}").statusCode());
      assertEquals(200, post(urls.get(1), cart, "{\"type\":\"checkout\"}").statusCode());
      for (String url : urls) {
        HttpResponse<String> unhandled = post(url, cart, "{\"type\":\"add\",\"item\":\"jam\",\"quantity\":1}");
        assertEquals(400, unhandled.statusCode(), unhandled.body());
        assertTrue(unhandled.body().contains("\"unsupported_command\""), unhandled.body());
      }
    }
    for (String url : urls) {
      HttpResponse<String> refused = post(url, "/v1/entities/account/in-jvm-empty", "{\"type\":\"deposit\",\"amount\":5}");
      assertEquals(422, refused.statusCode(), refused.body());
    }
  }

  @Test
  @Order(3)
  void theKeysOfADownedNodeAreServedByTheOthersWithTheirLastValues() {
    ColonyNode victim = nodes.get(2);
    Address address = Cluster.get(victim.system()).selfMember().address();
    // The entities must really move: some of the keys live on the node that goes.
    long onVictim = written.keySet().stream().filter(key -> hostedOn(victim, key)).count();
    assertTrue(onVictim > 0, "some of the " + KEYS + " keys live on the third node");

    Cluster.get(nodes.get(0).system()).manager().tell(new Down(address));
    await().atMost(Duration.ofSeconds(30)).until(() -> upMembers(nodes.get(0)) == 2 && upMembers(nodes.get(1)) == 2);
    ActorTestKit.shutdown(victim.system());
    nodes.remove(2);
    urls.remove(2);

    for (String url : urls) {
      written.forEach((key, value) -> await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
          .untilAsserted(() -> assertEquals(value, HttpJson.get(url + "/v1/kv/" + key).body(), key + " on " + url)));
    }
    written.keySet().forEach(key -> assertEquals(200, put(urls.get(0), key, "after failover").statusCode(), key));
  }

  /** Whether the key's entity runs on {@code node} now, from the node's own shard region. */
  private static boolean hostedOn(ColonyNode node, String key) {
    ActorSystem<Void> system = node.system();
    CurrentShardRegionState state = AskPattern.<ClusterShardingQuery, CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetShardRegionState(KeyValueEntity.ENTITY_KEY, replyTo),
            Duration.ofSeconds(5), system.scheduler())
        .toCompletableFuture().join();
    return state.getShards().stream().anyMatch(shard -> shard.getEntityIds().contains(key));
  }

  private static long upMembers(ColonyNode node) {
    return StreamSupport.stream(
            Cluster.get(node.system()).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up())
        .count();
  }

  private static HttpResponse<String> post(String url, String path, String json) {
    return HttpJson.send(HttpRequest.newBuilder(URI.create(url + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private static HttpResponse<String> put(String url, String key, String value) {
    return HttpJson.send(HttpRequest.newBuilder(URI.create(url + "/v1/kv/" + key))
        .PUT(HttpRequest.BodyPublishers.ofString(value)));
  }
}
