package io.colony.http;

import io.colony.runtime.ClusterJoin;
import io.colony.runtime.NodeConfig;
import io.colony.runtime.ShutdownSignals;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar colony-node.jar}: one Colony node, configured from COLONY_* variables. Exit
 * codes: 1 the HTTP port cannot be bound, 2 invalid configuration (a tokens file included),
 * 3 the journal database cannot be used, 4 it would listen beyond loopback unprotected
 * ({@link StartupSafety}), 5 the cluster refused it (its database belongs to another cluster,
 * {@code io.colony.runtime.ClusterJoin}).
 */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    ColonyNode node;
    try {
      node = ColonyNode.start(NodeConfig.load(System.getenv()));
    } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
      log.error("Invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    } catch (StartupSafety.UnsafeStartException e) {
      log.error("Refusing to start: {}", e.getMessage());
      System.exit(4);
      return;
    } catch (ClusterJoin.RefusedException e) {
      log.error("Cannot start: {}", e.getMessage());
      System.exit(ClusterJoin.REFUSED_EXIT_CODE);
      return;
    } catch (IllegalStateException e) {
      log.error("Cannot start: {}", e.getMessage());
      System.exit(3);
      return;
    }
    ActorSystem<Void> system = node.system();
    ShutdownSignals.install(system);
    node.binding().whenComplete((binding, error) -> {
      if (error != null && ClusterJoin.wasRefused(system)) {
        System.exit(ClusterJoin.REFUSED_EXIT_CODE);
      } else if (error != null) {
        log.error("Cannot serve HTTP: {}", error.getMessage());
        System.exit(1);
      } else {
        log.info("Colony node serving HTTP on {}", binding.localAddress());
      }
    });
  }
}
