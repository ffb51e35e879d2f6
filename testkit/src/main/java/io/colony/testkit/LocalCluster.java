package io.colony.testkit;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Node processes on free loopback ports that seed each other and share one journal database;
 * every node's output goes to {@code node-<i>-<label>.log} in the cluster's folder.
 */
public final class LocalCluster implements AutoCloseable {

  private static final Duration FORM = Duration.ofSeconds(120);

  private final Path dir;
  private final int[] http;
  private final int[] remote;
  private final Map<String, String> env;
  private final List<String> extraClasspath;
  private List<String> jvmOptions = NodeProcess.DEFAULT_JVM_OPTIONS;
  /** The API token {@link #awaitAllUp()} asks membership with (nodes started with a tokens file); null: none. */
  private String apiToken;
  private final NodeProcess[] nodes;
  private final List<NodeProcess> started = new ArrayList<>();

  public LocalCluster(Path dir, int size, Map<String, String> databaseEnv) {
    this(dir, size, databaseEnv, List.of());
  }

  /** As {@link #LocalCluster(Path, int, Map)}, with classpath entries after the node jar (e.g. the samples). */
  public LocalCluster(Path dir, int size, Map<String, String> databaseEnv, List<String> extraClasspath) {
    this.dir = dir;
    this.extraClasspath = List.copyOf(extraClasspath);
    this.http = new int[size];
    this.remote = new int[size];
    List<String> seeds = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      http[i] = FreePorts.next();
      remote[i] = FreePorts.next();
      seeds.add("127.0.0.1:" + remote[i]);
    }
    this.env = new HashMap<>(databaseEnv);
    env.put("COLONY_SEED_NODES", String.join(",", seeds));
    env.put("COLONY_DATA_DIR", dir.resolve("data").toString());
    this.nodes = new NodeProcess[size];
  }

  /** JVM options for the nodes started from now on; {@code {node}} in one stands for the node's number. */
  public LocalCluster withJvmOptions(List<String> options) {
    this.jvmOptions = List.copyOf(options);
    return this;
  }

  /** The API token (any role) to ask the nodes' membership with, for nodes started with COLONY_API_TOKENS_FILE. */
  public LocalCluster withApiToken(String token) {
    this.apiToken = token;
    return this;
  }

  /** Starts (or restarts) node i; {@code label} names its log file. */
  public NodeProcess start(int i, String label) {
    List<String> options = jvmOptions.stream().map(o -> o.replace("{node}", String.valueOf(i + 1))).toList();
    NodeProcess node =
        NodeProcess.start("node-" + (i + 1) + "-" + label, dir, http[i], remote[i], env, extraClasspath, options);
    started.add(node);
    nodes[i] = node;
    return node;
  }

  public LocalCluster startAll(String label) {
    for (int i = 0; i < nodes.length; i++) {
      start(i, label);
    }
    return this;
  }

  public NodeProcess node(int i) {
    return nodes[i];
  }

  public int size() {
    return nodes.length;
  }

  public NodeProcess[] nodes() {
    return nodes.clone();
  }

  /** The nodes except {@code i}. */
  public NodeProcess[] others(int i) {
    List<NodeProcess> rest = new ArrayList<>(Arrays.asList(nodes));
    rest.remove(i);
    return rest.toArray(NodeProcess[]::new);
  }

  public int indexOf(String address) {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i].address().equals(address)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no node " + address);
  }

  public void awaitAllUp() {
    awaitUp(FORM, apiToken, nodes);
  }

  /** Every one of {@code some} sees exactly these nodes, all Up. */
  public static void awaitUp(Duration within, NodeProcess... some) {
    awaitUp(within, null, some);
  }

  /** As above, asking with an API token (null: none). */
  public static void awaitUp(Duration within, String apiToken, NodeProcess... some) {
    try {
      await().atMost(within).pollInterval(Duration.ofMillis(250)).until(() -> {
        for (NodeProcess node : some) {
          if (!node.isAlive()) {
            throw new AssertionError(node.name() + " exited while the cluster formed\n" + node.logTail());
          }
        }
        for (NodeProcess node : some) {
          if (!Membership.of(node.url(), apiToken).allUp(some)) {
            return false;
          }
        }
        return true;
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("not all of " + some.length + " nodes Up within " + within + "\n"
          + Arrays.stream(some).map(NodeProcess::logTail).collect(Collectors.joining("\n")), e);
    }
  }

  @Override
  public void close() {
    started.forEach(NodeProcess::close);
  }
}
