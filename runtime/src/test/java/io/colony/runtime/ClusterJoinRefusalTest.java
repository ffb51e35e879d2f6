package io.colony.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/** Main tells a refused node (exit 5) from one whose start failed otherwise by the shutdown's reason. */
class ClusterJoinRefusalTest {

  private static ActorSystem<Void> localSystem() {
    return ActorSystem.create(Behaviors.empty(), "refusal",
        ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = off").withFallback(ConfigFactory.load()));
  }

  @Test
  void aShutdownForAnIncompatibleConfigurationIsARefusal() throws Exception {
    ActorSystem<Void> system = localSystem();
    assertFalse(ClusterJoin.wasRefused(system));
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.incompatibleConfigurationDetectedReason())
        .toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(ClusterJoin.wasRefused(system));
  }

  @Test
  void anyOtherShutdownIsNot() throws Exception {
    ActorSystem<Void> system = localSystem();
    CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.jvmExitReason())
        .toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertFalse(ClusterJoin.wasRefused(system));
  }
}
