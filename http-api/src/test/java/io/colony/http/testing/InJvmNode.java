package io.colony.http.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.colony.runtime.NodeConfig;
import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Configuration for a node inside the test JVM: free ports and a private in-memory H2 journal. */
public final class InJvmNode {

  private InJvmNode() {}

  /** A started single-node cluster and the base URL of its HTTP API. */
  public record Started(io.colony.http.ColonyNode node, String base) {}

  /** Starts a single-node cluster on free ports and waits until it is ready. */
  public static Started startReady(String overrides) {
    return startReady(Map.of(), overrides);
  }

  /** As {@link #startReady(String)}, with COLONY_* variables (e.g. another journal database). */
  public static Started startReady(Map<String, String> env, String overrides) {
    int httpPort = FreePorts.next();
    io.colony.http.ColonyNode node =
        io.colony.http.ColonyNode.start(config(httpPort, FreePorts.next(), env, overrides));
    String base = "http://127.0.0.1:" + httpPort;
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .until(() -> HttpJson.status(base + "/ready") == 200);
    return new Started(node, base);
  }

  /** A single-node cluster (it seeds itself) unless {@code env} names other seed nodes. */
  public static Config config(int httpPort, int remotePort, Map<String, String> env, String overrides) {
    Map<String, String> all = new HashMap<>();
    all.put("COLONY_HTTP_PORT", String.valueOf(httpPort));
    all.put("COLONY_REMOTE_PORT", String.valueOf(remotePort));
    all.put("COLONY_SEED_NODES", "127.0.0.1:" + remotePort);
    all.put("COLONY_DB_URL", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    all.putAll(env);
    return ConfigFactory.parseString(overrides).withFallback(NodeConfig.load(all));
  }
}
