package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.runtime.tls.CertsCommand;
import io.colony.testkit.ArteryProbe;
import io.colony.testkit.FreePorts;
import io.colony.testkit.H2Server;
import io.colony.testkit.LocalCluster;
import io.colony.testkit.Membership;
import io.colony.testkit.NodeProcess;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mutual TLS between real node processes: two nodes with certificates from the cluster's CA
 * form a cluster; a node with a certificate from another CA, and a node without TLS, try to join
 * through them and never become members; replacing every node's key and certificate applies
 * without a restart, and a restarted peer with the new files joins again.
 */
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArteryTlsIT {

  private static final Duration FORM = Duration.ofSeconds(120);
  /** The nodes re-read their files this often, so a rotation is seen within the test. */
  private static final Duration RELOAD = Duration.ofSeconds(2);
  private static final Path DIR = Path.of("target", "it-logs", "artery-tls").toAbsolutePath();

  private final List<AutoCloseable> started = new ArrayList<>();
  private final Map<String, String> clusterEnv = new HashMap<>();
  private Path certs;
  private NodeProcess first;
  private NodeProcess second;
  private int secondHttp;

  @BeforeAll
  void startATlsCluster() throws Exception {
    deleteRecursively(DIR);
    certs = DIR.resolve("certs");
    CertsCommand.run(certs.toString(), "--nodes", "3");
    H2Server h2 = H2Server.start(DIR.resolve("h2"));
    started.add(h2);
    int firstRemote = FreePorts.next();
    clusterEnv.put("COLONY_DB_URL", h2.url());
    clusterEnv.put("COLONY_SEED_NODES", "127.0.0.1:" + firstRemote);
    clusterEnv.put("COLONY_TLS_RELOAD_INTERVAL", RELOAD.toMillis() + "ms");
    first = start("first", FreePorts.next(), firstRemote, tls("node-1"));
    secondHttp = FreePorts.next();
    second = start("second", secondHttp, FreePorts.next(), tls("node-2"));
    LocalCluster.awaitUp(FORM, first, second);
    assertTrue(Files.readString(first.log()).contains("Remoting started with transport [Artery tls-tcp]"), first.logTail());
  }

  @AfterAll
  void stopAll() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  @Test
  @Order(1)
  void aNodeWithACertificateFromAnotherCaNeverBecomesAMember() throws Exception {
    Path otherCa = DIR.resolve("other-ca");
    CertsCommand.run(otherCa.toString()); // same cluster name, another CA
    NodeProcess stranger = start("other-ca", FreePorts.next(), FreePorts.next(), tls(otherCa.resolve("node-1")));
    neverAMemberWhileItTriesToJoin(stranger);
    assertTrue(Files.readString(stranger.log()).contains("SSLHandshakeException"), stranger.logTail());
    stranger.close();
  }

  @Test
  @Order(2)
  void aNodeWithoutTlsNeverBecomesAMember() throws Exception {
    NodeProcess stranger = start("no-tls", FreePorts.next(), FreePorts.next(), Map.of());
    neverAMemberWhileItTriesToJoin(stranger);
    assertTrue(Files.readString(stranger.log()).contains("Remoting started with transport [Artery tcp]"),
        stranger.logTail());
    stranger.close();
  }

  @Test
  @Order(3)
  void newKeysAndCertificatesApplyWithoutARestartAndARestartedPeerJoinsWithThem() throws Exception {
    BigInteger before = servedSerial(first);
    assertEquals(fileSerial("node-1"), before, "the node serves its certificate file");

    long rotatedAt = System.nanoTime();
    CertsCommand.run(certs.toString(), "--nodes", "3", "--renew");
    BigInteger renewed = fileSerial("node-1");
    assertNotEquals(before, renewed);
    await("the first node serves its new certificate").atMost(RELOAD.multipliedBy(10))
        .pollInterval(Duration.ofMillis(100)).until(() -> renewed.equals(servedSerial(first)));
    long appliedMillis = (System.nanoTime() - rotatedAt) / 1_000_000;
    System.out.printf("certificate rotation applied in %d ms (reload interval %d ms)%n", appliedMillis, RELOAD.toMillis());
    assertTrue(Membership.of(first).allUp(first, second), "the cluster stayed up: " + Membership.of(first));

    int secondRemote = second.remotePort();
    second.stop(Duration.ofSeconds(30));
    second = start("second-restarted", secondHttp, secondRemote, tls("node-2"));
    NodeProcess third = start("third", FreePorts.next(), FreePorts.next(), tls("node-3"));
    LocalCluster.awaitUp(FORM, first, second, third);
  }

  /** Waits until the stranger has tried and failed to join twice, checking it never is a member. */
  private void neverAMemberWhileItTriesToJoin(NodeProcess stranger) {
    await(stranger.name() + " gives up joining twice").atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200)).until(() -> {
          for (NodeProcess member : List.of(first, second)) {
            Membership seen = Membership.of(member);
            assertFalse(seen.contains(stranger), stranger.name() + " became a member: " + seen);
            assertTrue(seen.allUp(first, second), "the cluster is intact: " + seen);
          }
          return Files.readString(stranger.log()).contains("Couldn't join seed nodes after [2] attempts");
        });
  }

  private Map<String, String> tls(String node) {
    return tls(certs.resolve(node));
  }

  private static Map<String, String> tls(Path folder) {
    return Map.of("COLONY_TLS_DIR", folder.toString());
  }

  private NodeProcess start(String name, int http, int remote, Map<String, String> tls) {
    Map<String, String> env = new HashMap<>(clusterEnv);
    env.putAll(tls);
    NodeProcess node = NodeProcess.start(name, DIR, http, remote, env);
    started.add(node);
    return node;
  }

  private BigInteger fileSerial(String node) throws Exception {
    return ArteryProbe.fileSerial(certs.resolve(node));
  }

  /** The certificate a node's Artery port presents, to a client with the third node's key (a peer it accepts). */
  private BigInteger servedSerial(NodeProcess node) throws Exception {
    return ArteryProbe.servedSerial(node.remotePort(), certs.resolve("node-3"));
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (var paths = Files.walk(dir)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
