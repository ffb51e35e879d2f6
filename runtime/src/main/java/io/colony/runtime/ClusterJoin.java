package io.colony.runtime;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes a freshly started node join (or form) its cluster. */
public final class ClusterJoin {

  private static final Logger log = LoggerFactory.getLogger(ClusterJoin.class);

  private ClusterJoin() {}

  public static void start(ActorSystem<?> system, NodeSettings settings) {
    if (settings.usesClusterBootstrap()) {
      // Contact points probe each other over pekko-management's HTTP server.
      PekkoManagement.get(system).start();
      ClusterBootstrap.get(system).start();
      log.info(
          "Joining through Cluster Bootstrap ({} discovery, management port {})",
          settings.discovery(),
          settings.managementPort());
    } else {
      // pekko.cluster.seed-nodes is set (NodeConfig derives it): the cluster joins them by itself.
      log.info("Joining through seed nodes {}", settings.seedNodes());
    }
  }
}
