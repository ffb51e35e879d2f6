package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.runtime.ClusterJoin;
import io.colony.testkit.FreePorts;
import io.colony.testkit.H2Server;
import io.colony.testkit.LocalCluster;
import io.colony.testkit.Membership;
import io.colony.testkit.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One cluster per journal database, with real processes: two nodes on one H2 database form a
 * cluster; a node pointed at another database of the same H2 server is refused, never becomes a
 * member and exits with 5 saying why; a node on the cluster's database then joins.
 */
@ExtendWith(LogCapturingExtension.class)
class ClusterIdentityIT {

  private static final Duration FORM = Duration.ofSeconds(120);
  private static final Path DIR = Path.of("target", "it-logs", "cluster-identity").toAbsolutePath();

  private final List<AutoCloseable> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  @Test
  void aNodeOnAnotherDatabaseIsRefusedAndExitsWith5WhileANodeOnTheClustersDatabaseJoins() throws Exception {
    deleteRecursively(DIR);
    H2Server h2 = H2Server.start(DIR.resolve("h2"));
    started.add(h2);
    int firstRemote = FreePorts.next();
    String seeds = "127.0.0.1:" + firstRemote;
    NodeProcess first = start("first", firstRemote, h2.url(), seeds);
    NodeProcess second = start("second", FreePorts.next(), h2.url(), seeds);
    LocalCluster.awaitUp(FORM, first, second);

    NodeProcess stranger = start("stranger", FreePorts.next(), h2.url("other"), seeds);
    int[] membershipReads = {0};
    await("the stranger exits").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
      Membership seen = Membership.of(first);
      assertFalse(seen.contains(stranger), "the stranger became a member: " + seen);
      if (seen.contains(first)) {
        membershipReads[0]++;
      }
      return !stranger.isAlive();
    });
    assertTrue(membershipReads[0] > 0, "the first node's membership was read while the stranger tried");
    assertEquals(ClusterJoin.REFUSED_EXIT_CODE, stranger.waitForExit(Duration.ofSeconds(5)), stranger.logTail());

    String clusterId = clusterId(h2.url());
    String strangerId = clusterId(h2.url("other"));
    assertNotEquals(clusterId, strangerId);
    String strangerLog = Files.readString(stranger.log());
    assertTrue(strangerLog.contains("REFUSED BY THE CLUSTER"), strangerLog);
    assertTrue(strangerLog.contains(h2.url("other")) && strangerLog.contains("cluster id " + strangerId), strangerLog);
    String firstLog = Files.readString(first.log());
    assertTrue(firstLog.contains("Found incompatible settings"), firstLog);
    assertTrue(firstLog.contains("cluster id " + clusterId) && firstLog.contains("cluster id " + strangerId), firstLog);

    NodeProcess third = start("third", FreePorts.next(), h2.url(), seeds);
    LocalCluster.awaitUp(FORM, first, second, third);
  }

  private NodeProcess start(String name, int remotePort, String dbUrl, String seeds) {
    NodeProcess node = NodeProcess.start(name, DIR, FreePorts.next(), remotePort,
        Map.of("COLONY_DB_URL", dbUrl, "COLONY_SEED_NODES", seeds));
    started.add(node);
    return node;
  }

  private static String clusterId(String url) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url + ";DATABASE_TO_UPPER=false", "sa", "");
        ResultSet rows = connection.createStatement().executeQuery("SELECT id FROM colony_cluster")) {
      assertTrue(rows.next(), "the database holds a cluster id");
      return rows.getString(1);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
