package io.colony.runtime;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes a freshly started node join (or form) its cluster. */
public final class ClusterJoin {

  private static final Logger log = LoggerFactory.getLogger(ClusterJoin.class);

  private ClusterJoin() {}

  /** Exit code of a node the cluster refused (colony-defaults.conf maps Pekko's reason to it). */
  public static final int REFUSED_EXIT_CODE = 5;

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

  /**
   * Pekko ends a node whose configuration the cluster refuses with a generic log line; this says
   * what it means for Colony, with this node's side of it (the cluster's nodes log theirs). Call
   * right after the ActorSystem is created: a seed node's answer can come at once.
   */
  public static void explainRefusal(ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "colony-explain-refusal", () -> {
      if (wasRefused(system)) {
        var config = system.settings().config();
        log.error("REFUSED BY THE CLUSTER: this node cannot join, its journal database ({}, cluster id {}) is not "
                + "the cluster's (one cluster per journal database: every node must use the same COLONY_DB_URL). "
                + "The cluster's nodes log their database and id ('Found incompatible settings'). Exiting with code {}.",
            valueOr(config, ClusterIdCheck.DATABASE_KEY), valueOr(config, ClusterIdCheck.ID_KEY), REFUSED_EXIT_CODE);
      }
      return CompletableFuture.completedFuture(Done.getInstance());
    });
  }

  /** Whether this node is shutting down because the cluster refused its join. */
  public static boolean wasRefused(ActorSystem<?> system) {
    return CoordinatedShutdown.get(system).getShutdownReason()
        .filter(CoordinatedShutdown.incompatibleConfigurationDetectedReason()::equals)
        .isPresent();
  }

  /** Starting a node failed because the cluster refused it meanwhile (exit with {@link #REFUSED_EXIT_CODE}). */
  public static final class RefusedException extends RuntimeException {
    public RefusedException(Throwable whileStarting) {
      super("the cluster refused this node while it was starting", whileStarting);
    }
  }

  private static String valueOr(com.typesafe.config.Config config, String key) {
    return config.hasPath(key) ? config.getString(key) : "none";
  }
}
