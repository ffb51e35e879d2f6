package io.colony.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.Valid;
import org.junit.jupiter.api.Test;

class ClusterIdCheckTest {

  private final ClusterIdCheck check = new ClusterIdCheck();
  private final Config ours = ClusterIdCheck.joinConfig("id-a", "H2 jdbc:h2:tcp://127.0.0.1:9092/colony");

  private static String message(ConfigValidation validation) {
    return assertInstanceOf(Invalid.class, validation).errorMessages().mkString("; ");
  }

  @Test
  void aNodeOnTheSameDatabaseIdMayJoin() {
    Config theirs = ClusterIdCheck.joinConfig("id-a", "H2 jdbc:h2:tcp://db-host:9092/colony");
    assertEquals(Valid.getInstance(), check.check(theirs, ours));
  }

  @Test
  void aNodeWhoseDatabaseHoldsAnotherIdIsRefusedWithBothDatabasesAndIds() {
    Config theirs = ClusterIdCheck.joinConfig("id-b", "H2 jdbc:h2:file:/tmp/private/colony");
    String message = message(check.check(theirs, ours));
    assertTrue(message.contains("H2 jdbc:h2:file:/tmp/private/colony, cluster id id-b"), message);
    assertTrue(message.contains("H2 jdbc:h2:tcp://127.0.0.1:9092/colony, cluster id id-a"), message);
    assertTrue(message.contains("COLONY_DB_URL"), message);
  }

  @Test
  void aNodeWithoutAnIdIsRefused() {
    String message = message(check.check(ConfigFactory.empty(), ours));
    assertTrue(message.contains("database unknown, cluster id none"), message);
  }

  @Test
  void aClusterWithoutAnIdRefusesEveryone() {
    message(check.check(ours, ConfigFactory.empty()));
  }

  @Test
  void aNodeSendsTheIdAndItsDatabaseForTheCheck() {
    assertEquals(java.util.List.of(ClusterIdCheck.ID_KEY, ClusterIdCheck.DATABASE_KEY),
        scala.jdk.javaapi.CollectionConverters.asJava(check.requiredKeys()));
  }

  @Test
  void everyNodeRegistersTheCheckAndExitsWith5WhenRefused() {
    Config config = NodeConfig.load(Map.of());
    assertEquals(ClusterIdCheck.class.getName(),
        config.getString("pekko.cluster.configuration-compatibility-check.checkers.colony-cluster-id"));
    assertTrue(config.getBoolean("pekko.cluster.configuration-compatibility-check.enforce-on-join"));
    assertEquals(ClusterJoin.REFUSED_EXIT_CODE, config.getConfig("pekko.coordinated-shutdown.reason-overrides")
        .getInt("\"org.apache.pekko.actor.CoordinatedShutdown$IncompatibleConfigurationDetectedReason$\".exit-code"));
  }
}
