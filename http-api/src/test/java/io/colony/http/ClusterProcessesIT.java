package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.testkit.FreePorts;
import io.colony.testkit.H2Server;
import io.colony.testkit.LocalCluster;
import io.colony.testkit.Membership;
import io.colony.testkit.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three real node processes: they form one cluster, a kill -9'd node is downed by the split
 * brain resolver and removed, a restarted node rejoins, and SIGTERM leaves gracefully.
 */
@ExtendWith(LogCapturingExtension.class)
class ClusterProcessesIT {

  private static final Duration FORM = Duration.ofSeconds(120);
  private static final Path LOGS = Path.of("target", "it-logs", "cluster-processes");

  private final List<NodeProcess> started = new ArrayList<>();
  /** The nodes' one journal database: nodes on different databases cannot form one cluster. */
  private H2Server h2;

  @BeforeEach
  void startDatabase() {
    h2 = H2Server.start(LOGS.resolve("h2").toAbsolutePath());
  }

  @AfterEach
  void stopAll() {
    started.forEach(NodeProcess::close);
    h2.close();
  }

  @Test
  void seedNodesFormTheClusterWhichSurvivesKillRestartAndLeave() {
    int[] http = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    int[] remote = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    String seeds = "127.0.0.1:" + remote[0] + ",127.0.0.1:" + remote[1] + ",127.0.0.1:" + remote[2];
    Map<String, String> env = Map.of("COLONY_SEED_NODES", seeds);

    NodeProcess n1 = start("node-1", http[0], remote[0], env);
    NodeProcess n2 = start("node-2", http[1], remote[1], env);
    NodeProcess n3 = start("node-3", http[2], remote[2], env);
    awaitAllSeeAllUp(FORM, n1, n2, n3);

    // kill -9: first unreachable, then downed by the split brain resolver and removed.
    n3.kill();
    await("node-3 seen unreachable").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> Membership.of(n1).unreachable().contains(n3.address()));
    await("node-3 removed").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .until(() -> !Membership.of(n1).contains(n3) && !Membership.of(n2).contains(n3));
    awaitAllSeeAllUp(Duration.ofSeconds(5), n1, n2);

    // The same address comes back as a new incarnation and rejoins.
    NodeProcess n3again = start("node-3-restarted", http[2], remote[2], env);
    awaitAllSeeAllUp(FORM, n1, n2, n3again);

    // SIGTERM: coordinated shutdown leaves the cluster and the JVM exits with 0.
    n2.terminate();
    assertEquals(0, n2.waitForExit(Duration.ofSeconds(45)), n2.logTail());
    await("node-2 removed after leaving").atMost(Duration.ofSeconds(20))
        .until(() -> !Membership.of(n1).contains(n2) && !Membership.of(n3again).contains(n2));
    awaitAllSeeAllUp(Duration.ofSeconds(10), n1, n3again);
    assertTrue(n1.isAlive() && n3again.isAlive());
  }

  @Test
  void clusterBootstrapWithConfigDiscoveryFormsTheClusterWithoutSeedNodes() {
    int[] management = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    String endpoints = "127.0.0.1:" + management[0] + ",127.0.0.1:" + management[1] + ",127.0.0.1:" + management[2];
    NodeProcess[] nodes = new NodeProcess[3];
    for (int i = 0; i < 3; i++) {
      Map<String, String> env = new HashMap<>();
      env.put("COLONY_DISCOVERY", "config");
      env.put("COLONY_BOOTSTRAP_ENDPOINTS", endpoints);
      env.put("COLONY_MANAGEMENT_PORT", String.valueOf(management[i]));
      nodes[i] = start("bootstrap-" + (i + 1), FreePorts.next(), FreePorts.next(), env);
    }
    awaitAllSeeAllUp(FORM, nodes);
  }

  private NodeProcess start(String name, int httpPort, int remotePort, Map<String, String> env) {
    Map<String, String> withDatabase = new HashMap<>(env);
    withDatabase.putAll(h2.env());
    NodeProcess node = NodeProcess.start(name, LOGS, httpPort, remotePort, withDatabase);
    started.add(node);
    return node;
  }

  /** Every one of {@code nodes} sees exactly these nodes, all Up. */
  private void awaitAllSeeAllUp(Duration timeout, NodeProcess... nodes) {
    LocalCluster.awaitUp(timeout, nodes);
  }
}
