package io.colony.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

  @Test
  void defaultsBindLoopbackAndFormTheClusterThroughBootstrap() {
    Config config = NodeConfig.load(Map.of());
    NodeSettings node = NodeSettings.from(config);

    assertEquals("127.0.0.1", node.host());
    assertEquals(8080, node.httpPort());
    assertTrue(node.usesClusterBootstrap());
    assertEquals("cluster", config.getString("pekko.actor.provider"));
    assertEquals(
        "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
        config.getString("pekko.cluster.downing-provider-class"));
    assertEquals("keep-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertTrue(config.getStringList("pekko.cluster.seed-nodes").isEmpty());
    assertEquals("config", config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
  }

  @Test
  void environmentOverridesAddressesAndPorts() {
    Config config = NodeConfig.load(Map.of(
        "COLONY_HOST", "10.1.2.3",
        "COLONY_HTTP_PORT", "9000",
        "COLONY_REMOTE_PORT", "2552",
        "COLONY_MANAGEMENT_PORT", "8558",
        "COLONY_DATA_DIR", "/var/lib/colony"));

    assertEquals(9000, config.getInt("colony.node.http-port"));
    assertEquals("10.1.2.3", config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(2552, config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals("10.1.2.3", config.getString("pekko.management.http.hostname"));
    assertEquals(8558, config.getInt("pekko.management.http.port"));
    assertEquals("/var/lib/colony", NodeSettings.from(config).dataDir());
    assertFalse(config.hasPath("COLONY_HOST"), "environment keys must not leak into the config");
  }

  @Test
  void seedNodesBecomePekkoAddressesAndTurnBootstrapOff() {
    Config config = NodeConfig.load(Map.of("COLONY_SEED_NODES", "10.0.0.1:17355, node-b:17356"));

    assertEquals(
        List.of("pekko://colony@10.0.0.1:17355", "pekko://colony@node-b:17356"),
        config.getStringList("pekko.cluster.seed-nodes"));
    assertFalse(NodeSettings.from(config).usesClusterBootstrap());
  }

  @Test
  void configDiscoveryListsEveryEndpointAndWaitsForAllOfThem() {
    Config config = NodeConfig.load(Map.of(
        "COLONY_DISCOVERY", "config",
        "COLONY_BOOTSTRAP_ENDPOINTS", "127.0.0.1:7626,127.0.0.1:7627,127.0.0.1:7628"));

    List<? extends Config> endpoints =
        config.getConfigList("pekko.discovery.config.services.colony.endpoints");
    assertEquals(3, endpoints.size());
    assertEquals(7627, endpoints.get(1).getInt("port"));
    assertEquals(3, config.getInt("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
  }

  @Test
  void requiredContactPointsCanBeSetExplicitly() {
    Config config = NodeConfig.load(Map.of(
        "COLONY_DISCOVERY", "kubernetes-api", "COLONY_REQUIRED_CONTACT_POINTS", "5"));

    assertEquals("kubernetes-api", config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    assertEquals(5, config.getInt("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
  }

  @Test
  void localProfileDetectsFailuresFasterThanProduction() {
    Config local = NodeConfig.load(Map.of("COLONY_PROFILE", "local"));
    Config production = NodeConfig.load(Map.of("COLONY_PROFILE", "production"));

    assertEquals(Duration.ofSeconds(5), local.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
    assertEquals(Duration.ofSeconds(3), local.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"));
    assertEquals(Duration.ofSeconds(1), local.getDuration("pekko.cluster.down-removal-margin"));
    assertEquals("off", production.getString("pekko.cluster.down-removal-margin"), "production: the SBR's stable-after");
    // production keeps Pekko's own defaults
    assertEquals(Duration.ofSeconds(20), production.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
    assertEquals(Duration.ofSeconds(1), production.getDuration("pekko.cluster.unreachable-nodes-reaper-interval"));
  }

  @Test
  void aConfigFileOverridesTheProfile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("custom.conf");
    Files.writeString(file, "pekko.cluster.split-brain-resolver.stable-after = 7s\ncolony.node.http-port = 9123\n");

    Config config = NodeConfig.load(Map.of("COLONY_CONFIG", file.toString()));

    assertEquals(Duration.ofSeconds(7), config.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
    assertEquals(9123, config.getInt("colony.node.http-port"));
  }

  @Test
  void aConfigFileAndTheEnvironmentCombine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("custom.conf");
    Files.writeString(file, "colony.node.host = \"192.168.0.9\"\n");

    // A file that sets a key without ${?ENV} replaces the reference default and its env hook.
    Config config = NodeConfig.load(Map.of("COLONY_CONFIG", file.toString(), "COLONY_HTTP_PORT", "8181"));

    assertEquals("192.168.0.9", config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(8181, config.getInt("colony.node.http-port"));
  }

  @Test
  void theShippedKubernetesConfigUsesApiDiscoveryAndProductionTimings() {
    Config config = NodeConfig.load(Map.of("COLONY_CONFIG", "../conf/kubernetes.conf"));
    NodeSettings node = NodeSettings.from(config);

    assertTrue(node.usesClusterBootstrap());
    assertEquals("kubernetes-api", node.discovery());
    assertEquals("production", node.profile());
    assertEquals(3, config.getInt("pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
    assertEquals(Duration.ofSeconds(20), config.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
  }

  @Test
  void theProfileIsLocalOnLoopbackAndProductionBeyondUnlessOneIsNamed() {
    for (String host : List.of("127.0.0.1", "localhost", "::1")) {
      Config config = NodeConfig.load(Map.of("COLONY_HOST", host));
      assertEquals("local", NodeSettings.from(config).profile(), host);
      assertEquals(Duration.ofSeconds(5), config.getDuration("pekko.cluster.split-brain-resolver.stable-after"), host);
    }
    Config beyond = NodeConfig.load(Map.of("COLONY_HOST", "10.0.0.11"));
    assertEquals("production", NodeSettings.from(beyond).profile());
    assertEquals(Duration.ofSeconds(20), beyond.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
    assertEquals("off", beyond.getString("pekko.cluster.down-removal-margin"), "off: as long as stable-after");
    assertTrue(beyond.getBoolean("pekko.cluster.split-brain-resolver.down-all-when-unstable"));
    assertEquals(Duration.ofSeconds(1), beyond.getDuration("pekko.cluster.gossip-interval"), "Pekko's own gossip");

    Config named = NodeConfig.load(Map.of("COLONY_HOST", "10.0.0.11", "COLONY_PROFILE", "local"));
    assertEquals("local", NodeSettings.from(named).profile());
    assertEquals(Duration.ofSeconds(5), named.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
  }

  @Test
  void theManagementServersRoutesAreReadOnly() {
    assertTrue(NodeConfig.load(Map.of()).getBoolean("pekko.management.http.route-providers-read-only"));
  }

  @Test
  void theShippedLocalConfigIsTheLocalProfile() {
    Config config = NodeConfig.load(Map.of("COLONY_CONFIG", "../conf/local.conf"));
    assertEquals(Duration.ofSeconds(5), config.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
  }

  @Test
  void badValuesFailWithTheVariableNamed() {
    IllegalArgumentException seed = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(Map.of("COLONY_SEED_NODES", "10.0.0.1")));
    assertTrue(seed.getMessage().contains("COLONY_SEED_NODES"), seed.getMessage());

    IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(Map.of("COLONY_SEED_NODES", "host:http")));
    assertTrue(port.getMessage().contains("not a port number"), port.getMessage());

    IllegalArgumentException profile = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(Map.of("COLONY_PROFILE", "turbo")));
    assertTrue(profile.getMessage().contains("COLONY_PROFILE"), profile.getMessage());

    IllegalArgumentException file = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(Map.of("COLONY_CONFIG", "/no/such/colony.conf")));
    assertTrue(file.getMessage().contains("COLONY_CONFIG"), file.getMessage());
  }

  @Test
  void noAkkaKeysAndJavaSerializationOff() {
    Config config = NodeConfig.load(Map.of());

    assertFalse(config.hasPath("akka"), "akka.* keys are ignored by Pekko and must not appear");
    assertFalse(config.getBoolean("pekko.actor.allow-java-serialization"));
    assertEquals("jackson-cbor", config.getString("pekko.actor.serialization-bindings.\"io.colony.persistence.CborSerializable\""));
  }
}
