package io.colony.bench;

import com.typesafe.config.Config;
import io.colony.runtime.NodeConfig;
import io.colony.testkit.FreePorts;
import io.colony.testkit.NodeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Cluster timings of the walking skeleton, from the repository root (builds what is missing):
 *
 *   bench/run.sh cluster
 *
 * Prints a table and writes bench/results/cluster.json:
 *  - java -jar → node Up (its /ready answers 200), median of 5 single-node starts;
 *  - `bin/colony up 3` → returns with all three Up, median of 3;
 *  - kill -9 of one node of three → it is gone from the survivors' membership, median of 3,
 *    next to the configured bound of the local profile (heartbeat-interval +
 *    acceptable-heartbeat-pause + split-brain-resolver stable-after).
 */
public class ClusterBench {

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  static final Path WORK = Path.of("target/bench-cluster").toAbsolutePath();

  public static void main(String[] args) throws Exception {
    Files.createDirectories(WORK);
    List<Double> startUp = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      startUp.add(singleNodeStartSeconds(i));
    }
    List<Double> colonyUp = new ArrayList<>();
    List<Double> removal = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int baseHttp = FreePorts.consecutive(3);
      int baseRemote = FreePorts.consecutive(3);
      long t0 = System.nanoTime();
      run(baseHttp, baseRemote, "up", "3");
      colonyUp.add(seconds(t0));
      try {
        removal.add(killAndAwaitRemovalSeconds(baseHttp, baseRemote));
      } finally {
        run(baseHttp, baseRemote, "down");
      }
    }

    Config local = NodeConfig.load(Map.of("COLONY_PROFILE", "local"));
    double bound = secondsOf(local, "pekko.cluster.failure-detector.heartbeat-interval")
        + secondsOf(local, "pekko.cluster.failure-detector.acceptable-heartbeat-pause")
        + secondsOf(local, "pekko.cluster.split-brain-resolver.stable-after");
    double removalMedian = median(removal);

    System.out.println();
    System.out.printf(Locale.ROOT, "%-44s %10s %s%n", "measure", "median s", "runs");
    System.out.printf(Locale.ROOT, "%-44s %10.2f %s%n", "java -jar -> node Up (1 node)", median(startUp), fmt(startUp));
    System.out.printf(Locale.ROOT, "%-44s %10.2f %s%n", "bin/colony up 3 -> returns, all Up", median(colonyUp), fmt(colonyUp));
    System.out.printf(Locale.ROOT, "%-44s %10.2f %s%n", "kill -9 -> removed from membership", removalMedian, fmt(removal));
    System.out.printf(Locale.ROOT, "%-44s %10.2f %s%n", "configured bound (FD + stable-after)", bound, "");
    System.out.printf(Locale.ROOT, "%-44s %10.2f %s%n", "removal / bound (goal <= 1.2)", removalMedian / bound, "");

    Path out = Path.of("bench/results/cluster.json");
    Files.createDirectories(out.getParent());
    BenchSupport.writeJson(out, new ClusterResult(Instant.now().toString(),
        Runtime.getRuntime().availableProcessors() + " cores", Series.of(startUp), Series.of(colonyUp),
        Series.of(removal), BenchSupport.round(bound, 3), BenchSupport.round(removalMedian / bound, 3)));
  }

  /** bench/results/cluster.json. */
  record ClusterResult(String measuredAt, String machine, Series startToUpSeconds, Series colonyUp3Seconds,
      Series killToRemovedSeconds, Double configuredBoundSeconds, Double removalOverBound) {}

  /** The runs of one measure and their median, in seconds. */
  record Series(Double median, List<Double> runs) {
    static Series of(List<Double> runs) {
      return new Series(BenchSupport.round(ClusterBench.median(runs), 3), runs.stream().map(r -> BenchSupport.round(r, 2)).toList());
    }
  }

  static double singleNodeStartSeconds(int run) throws Exception {
    int remote = FreePorts.next();
    long t0 = System.nanoTime();
    try (NodeProcess node = NodeProcess.start("start-" + run, WORK, FreePorts.next(), remote,
        Map.of("COLONY_SEED_NODES", "127.0.0.1:" + remote), List.of(), List.of("-Xmx256m"))) {
      awaitStatus(node.url() + "/ready", 200, Duration.ofSeconds(60));
      double seconds = seconds(t0);
      node.stop(Duration.ofSeconds(40));
      return seconds;
    }
  }

  static double killAndAwaitRemovalSeconds(int baseHttp, int baseRemote) throws Exception {
    Path runDir = WORK.resolve("run-" + baseHttp);
    long pid = Long.parseLong(Files.readString(runDir.resolve("node-3.pid")).trim());
    String victim = "127.0.0.1:" + (baseRemote + 2);
    long t0 = System.nanoTime();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      String members = get("http://127.0.0.1:" + baseHttp + "/cluster/members");
      if (members != null && !members.contains(victim)) {
        return seconds(t0);
      }
      Thread.sleep(50); // polling interval of a measurement loop, not test synchronisation
    }
    throw new IllegalStateException("node 3 was not removed within 60 s");
  }

  static void run(int baseHttp, int baseRemote, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", "bin/colony"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().put("COLONY_RUN_DIR", WORK.resolve("run-" + baseHttp).toString());
    builder.environment().put("COLONY_BASE_HTTP_PORT", String.valueOf(baseHttp));
    builder.environment().put("COLONY_BASE_REMOTE_PORT", String.valueOf(baseRemote));
    builder.environment().put("COLONY_DATA_DIR", WORK.resolve("data-" + baseHttp).toString());
    int exit = builder.start().waitFor();
    if (exit != 0) {
      throw new IllegalStateException("bin/colony " + String.join(" ", args) + " exited " + exit);
    }
  }

  static void awaitStatus(String url, int status, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == status) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(20); // polling interval of a measurement loop
    }
    throw new IllegalStateException(url + " did not answer " + status + " within " + timeout);
  }

  static String get(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }

  static double secondsOf(Config config, String path) {
    return config.getDuration(path).toMillis() / 1000.0;
  }

  static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static String fmt(List<Double> values) {
    return values.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList().toString();
  }
}
