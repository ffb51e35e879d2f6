package io.colony.bench;

import static org.awaitility.Awaitility.await;

import io.colony.testkit.HttpJson;
import io.colony.testkit.LocalCluster;
import io.colony.testkit.Membership;
import io.colony.testkit.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The test kit's {@link LocalCluster} as a benchmark uses it: nodes run as
 * {@code java -Xmx256m <options> -jar colony-node.jar}, each is registered for cleanup and for
 * CPU accounting as it starts, and nodes are addressed by index.
 */
final class BenchCluster {

  /** Every start of a node appends to one log per node. */
  private static final String LABEL = "bench";
  private static final Duration READY = Duration.ofSeconds(60);

  final String label;
  final BenchSupport.Db db;
  /** The bearer token membership is asked with (nodes with COLONY_API_TOKENS_FILE); null: none. */
  private final String apiToken;
  private final LocalCluster nodes;

  private BenchCluster(String label, BenchSupport.Db db, String apiToken, LocalCluster nodes) {
    this.label = label;
    this.db = db;
    this.apiToken = apiToken;
    this.nodes = nodes;
  }

  /**
   * Starts {@code size} nodes ("{node}" in an option is the node's number) with
   * {@code environment} added to the COLONY_* variables the cluster needs, and waits until all are Up.
   */
  static BenchCluster start(String label, BenchSupport.Db db, Path dir, int size, List<String> jvmOptions,
      Map<String, String> environment) {
    return start(label, db, dir, size, jvmOptions, environment, null);
  }

  /** As above, for nodes with API tokens: {@code apiToken} (any role) is used to ask them about membership. */
  static BenchCluster start(String label, BenchSupport.Db db, Path dir, int size, List<String> jvmOptions,
      Map<String, String> environment, String apiToken) {
    Map<String, String> env = new HashMap<>(db.server().env());
    env.put("COLONY_HOST", BenchSupport.HOST);
    env.putAll(environment);
    List<String> options = new ArrayList<>(List.of("-Xmx256m"));
    options.addAll(jvmOptions);
    BenchCluster cluster = new BenchCluster(label, db, apiToken,
        new LocalCluster(dir, size, env).withJvmOptions(options).withApiToken(apiToken));
    for (int i = 0; i < size; i++) {
      cluster.startNode(i);
    }
    cluster.awaitUpAndReady();
    return cluster;
  }

  private void startNode(int i) {
    NodeProcess node = nodes.start(i, LABEL);
    BenchSupport.NODES.add(node.handle());
    BenchSupport.register("node " + (i + 1) + " of " + label, () -> {
      if (!node.stop(BenchSupport.STOP_TIMEOUT)) {
        System.out.println("  node-" + (i + 1) + " did not stop within " + BenchSupport.STOP_TIMEOUT.toSeconds() + " s; killed it");
      }
    });
    System.out.println("  started node-" + (i + 1) + " of " + label + ": pid " + node.pid() + ", HTTP port " + node.httpPort());
  }

  int size() {
    return nodes.size();
  }

  String base(int i) {
    return nodes.node(i).url();
  }

  List<String> bases() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      all.add(base(i));
    }
    return all;
  }

  List<String> basesExcept(int i) {
    List<String> others = new ArrayList<>(bases());
    others.remove(i);
    return others;
  }

  List<Integer> httpPorts() {
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      ports.add(nodes.node(i).httpPort());
    }
    return ports;
  }

  int remotePort(int i) {
    return nodes.node(i).remotePort();
  }

  long pid(int i) {
    return nodes.node(i).pid();
  }

  Path log(int i) {
    return nodes.node(i).log();
  }

  /** The node with this member address, or -1. */
  int indexOf(String address) {
    for (int i = 0; address != null && i < size(); i++) {
      if (nodes.node(i).address().equals(address)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The oldest member (the cluster singletons' host) as most running nodes report it: a node
   * that has just joined may not know the others yet and name itself (a kill of it then measured
   * nothing). Null when there is no majority.
   */
  String agreedOldest() {
    Map<String, Integer> votes = new HashMap<>();
    for (int i = 0; i < size(); i++) {
      String answer = Membership.of(base(i), apiToken).oldest();
      if (answer != null) {
        votes.merge(answer, 1, Integer::sum);
      }
    }
    return votes.entrySet().stream().filter(e -> e.getValue() * 2 > size()).map(Map.Entry::getKey)
        .findFirst().orElse(null);
  }

  /** Every node sees all of them Up (and none unreachable). */
  boolean allUp() {
    for (int i = 0; i < size(); i++) {
      if (!Membership.of(base(i), apiToken).allUp(nodes.nodes())) {
        return false;
      }
    }
    return true;
  }

  /** kill -9 of node {@code i}, without waiting: the measurement's clock is already running. */
  void kill(int i) {
    nodes.node(i).handle().destroyForcibly();
    System.out.println("  killed node-" + (i + 1) + " of " + label + " (pid " + pid(i) + ")");
  }

  /** Starts node {@code i} again (after a kill) and waits until every node is Up. */
  void restart(int i) throws Exception {
    nodes.node(i).handle().onExit().get(30, TimeUnit.SECONDS);
    startNode(i);
    awaitUpAndReady();
  }

  /** Every node sees all of them Up, and every node's /ready says it serves. */
  private void awaitUpAndReady() {
    nodes.awaitAllUp();
    for (String base : bases()) {
      await("ready: " + base).atMost(READY).until(() -> HttpJson.status(base + "/ready") == 200);
    }
  }

  /** WARN and ERROR lines of every node's log, each with the node's name. */
  List<String> logComplaints() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      String who = "node-" + (i + 1);
      nodes.node(i).warningsAndErrors().forEach(l -> all.add(who + ": " + l.substring(0, Math.min(300, l.length()))));
    }
    return all;
  }
}
