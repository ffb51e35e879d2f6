package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.testkit.H2Server;
import io.colony.testkit.HttpJson;
import io.colony.testkit.LocalCluster;
import io.colony.testkit.Membership;
import io.colony.testkit.NodeProcess;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the README says a two-node cluster does when a node crashes: the split brain resolver
 * (keep-majority) cannot tell a crash from a partition between two equal halves, so the half
 * with the lowest address is kept. The lower node survives its peer's crash and keeps serving;
 * the higher node downs itself when the lower one crashes, and exits.
 */
@ExtendWith(LogCapturingExtension.class)
class TwoNodeClusterIT {

  private static final Path DIR = Path.of("target", "it-logs", "two-nodes").toAbsolutePath();

  @Test
  void theLowerAddressSurvivesACrashOfTheOtherAndTheHigherDownsItselfWhenTheLowerCrashes() throws Exception {
    try (H2Server h2 = H2Server.start(DIR.resolve("h2"));
        LocalCluster cluster = new LocalCluster(DIR, 2, h2.env())) {
      cluster.startAll("first");
      cluster.awaitAllUp();
      // Both on 127.0.0.1: the lower Artery port is the lower address.
      int lower = cluster.node(0).remotePort() < cluster.node(1).remotePort() ? 0 : 1;
      int higher = 1 - lower;

      cluster.node(higher).kill();
      await("the lower node alone is the cluster").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250)).until(() -> Membership.of(cluster.node(lower)).allUp(cluster.node(lower)));
      // The survivor serves writes (the crashed node's shards restart on it).
      assertEquals(200, HttpJson.send(HttpRequest.newBuilder(URI.create(cluster.node(lower).url() + "/v1/kv/after-crash"))
          .PUT(HttpRequest.BodyPublishers.ofString("still serving"))).statusCode());

      cluster.start(higher, "again");
      cluster.awaitAllUp();
      cluster.node(lower).kill();
      NodeProcess survivor = cluster.node(higher);
      int exit = survivor.waitForExit(Duration.ofSeconds(90));
      // Pekko's exit code for a node the cluster downed (ClusterDowningReason): -1.
      assertEquals(255, exit, survivor.logTail());
      assertTrue(Files.readString(survivor.log()).contains("SBR took decision DownReachable and is downing ["
          + survivor.address() + "] including myself"), survivor.logTail());
    }
  }
}
