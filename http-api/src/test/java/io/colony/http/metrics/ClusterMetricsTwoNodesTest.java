package io.colony.http.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.colony.http.ColonyNode;
import io.colony.http.testing.InJvmNode;
import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two nodes in one cluster (two ActorSystems in this JVM), each scraped: both see two Up
 * members and none unreachable, and exactly one of them says it is the leader, exactly one the
 * oldest, so a dashboard's sum over nodes is 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class ClusterMetricsTwoNodesTest {

  private final List<ColonyNode> nodes = new ArrayList<>();
  private final List<String> urls = new ArrayList<>();

  @BeforeAll
  void startTwoNodes() {
    String journal = "jdbc:h2:mem:metrics-cluster-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    int[] remote = {FreePorts.next(), FreePorts.next()};
    String seeds = "127.0.0.1:" + remote[0] + ",127.0.0.1:" + remote[1];
    for (int i = 0; i < 2; i++) {
      int http = FreePorts.next();
      nodes.add(ColonyNode.start(InJvmNode.config(http, remote[i],
          Map.of("COLONY_SEED_NODES", seeds, "COLONY_DB_URL", journal),
          "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on")));
      urls.add("http://127.0.0.1:" + http);
    }
    await().atMost(Duration.ofSeconds(60))
        .until(() -> urls.stream().allMatch(url -> HttpJson.status(url + "/ready") == 200));
  }

  @AfterAll
  void stopAll() {
    nodes.forEach(node -> ActorTestKit.shutdown(node.system()));
  }

  @Test
  void bothSeeTwoUpMembersAndOneLeaderAndOneOldestAmongThem() {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      double leaders = 0;
      double oldest = 0;
      for (String url : urls) {
        List<PrometheusText.Sample> samples = PrometheusText.parse(HttpJson.get(url + "/metrics").body());
        assertEquals(2, value(samples, "colony_cluster_members", Map.of("status", "up")), url);
        assertEquals(0, value(samples, "colony_cluster_members", Map.of("status", "joining")), url);
        assertEquals(0, value(samples, "colony_cluster_unreachable_members", Map.of()), url);
        leaders += value(samples, "colony_cluster_leader", Map.of());
        oldest += value(samples, "colony_cluster_oldest", Map.of());
      }
      assertEquals(1, leaders);
      assertEquals(1, oldest);
    });
  }

  private static double value(List<PrometheusText.Sample> samples, String name, Map<String, String> labels) {
    return samples.stream()
        .filter(sample -> sample.name().equals(name) && sample.labels().equals(labels))
        .mapToDouble(PrometheusText.Sample::value)
        .reduce((a, b) -> {
          throw new AssertionError("two samples of " + name + labels);
        })
        .orElseThrow(() -> new AssertionError("no sample of " + name + labels));
  }
}
