package io.colony.bench;

import static io.colony.bench.BenchSupport.*;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.colony.runtime.tls.CertsCommand;
import io.colony.testkit.ArteryProbe;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What security costs the key-value store: KV PUT/s and GET/s on a 3-node cluster with security
 * off (plain Artery, an open API) and on (mutual TLS between the nodes, COLONY_TLS_DIR, and API
 * tokens, every request with a bearer token of role write), in one run. From the repository root:
 *
 *   bench/run.sh security
 *
 * The machine is noisy, so the modes alternate: off, on, off, on, off, on (3 rounds each), and
 * every round gets a fresh H2 server and a fresh cluster (logs under target/bench-security/), so
 * no round inherits another's journal or warmed-up JVMs. Each round measures as KvBench does,
 * with 64 concurrent clients and 256-byte values, requests round-robin over the nodes (so most
 * cross nodes over Artery): 500 uncounted warm-up PUTs, 1,500 PUTs of distinct keys, then GETs
 * of them. The result is each mode's median and the ratios on ÷ off (goal ≥ 0.9), next to the
 * nodes' CPU per request (CPU ms of the three nodes ÷ requests answered): what security adds to
 * their work, which other programs on the machine disturb less than they disturb throughput.
 *
 * The "on" clusters re-read their TLS files every 5 s (COLONY_TLS_RELOAD_INTERVAL). On the last
 * one, after its KV phases, it renews every node's key and certificate under the same CA
 * (CertsCommand --renew) three times and times, from the new files being in place, until every
 * node's Artery port serves its new certificate (a TLS probe with another node's key).
 *
 * Prints a table and writes bench/results/security.json. Smaller runs through system
 * properties, e.g.
 *   BENCH_OPTS="-Dsecurity.rounds=1 -Dsecurity.requests=300 -Dsecurity.warmup=100 -Dsecurity.rotations=1" bench/run.sh security
 * (such runs write their JSON under target/bench-security/ instead of bench/results/).
 */
public final class SecurityBench {

  static final Path WORK = Path.of("target/bench-security").toAbsolutePath();
  static final int NODES = 3;
  static final int ROUNDS = Integer.getInteger("security.rounds", 3);
  static final int REQUESTS = Integer.getInteger("security.requests", 1_500);
  static final int WARMUP = Integer.getInteger("security.warmup", 500);
  static final int ROTATIONS = Integer.getInteger("security.rotations", 3);
  static final Duration RELOAD = Duration.ofSeconds(5);
  static final double GOAL = 0.9;
  static final boolean FULL_RUN = ROUNDS == 3 && REQUESTS == 1_500 && WARMUP == 500 && ROTATIONS == 3;
  static final Duration PHASE_CAP = Duration.ofSeconds(Long.getLong("security.phaseCapSeconds", 120));
  static final Duration TOTAL_CAP = Duration.ofMinutes(Long.getLong("security.totalCapMinutes", 14));

  enum Mode { OFF, ON }

  public static void main(String[] args) throws Exception {
    RunStart start = startRun(WORK, TOTAL_CAP, PHASE_CAP, "security-bench");
    Instant startedAt = start.startedAt();
    Path runDir = start.dir();
    KvBench.makeValues(REQUESTS + WARMUP);

    // One CA, node certificates and a token for every "on" round of the run.
    Path certs = runDir.resolve("certs");
    CertsCommand.run(certs.toString(), "--nodes", String.valueOf(NODES));
    String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
    Path tokens = runDir.resolve("api-tokens");
    Files.writeString(tokens, "write " + token + "\n");

    List<Map<String, Object>> rounds = new ArrayList<>();
    Map<String, Object> rotation = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(KvBench.CONCURRENCY);
    try {
      for (int r = 0; r < 2 * ROUNDS; r++) {
        Mode mode = r % 2 == 0 ? Mode.OFF : Mode.ON;
        boolean rotateAfter = r == 2 * ROUNDS - 1; // the last round is an "on" one
        Path dir = runDir.resolve("round-" + (r + 1) + "-" + mode.name().toLowerCase(Locale.ROOT));
        Files.createDirectories(dir);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("round", r + 1);
        run.put("security", mode.name().toLowerCase(Locale.ROOT));
        rounds.add(run);
        Security security = mode == Mode.ON ? new Security(certs, tokens, token) : null;
        if (!measureConfiguration("round " + (r + 1) + ": security " + run.get("security") + "; logs in " + dir, run,
            TOTAL_CAP, () -> measureRound(security, dir, pool, run, rotateAfter ? rotation : null))) {
          break;
        }
      }
    } finally {
      pool.shutdownNow();
      cleanupAll();
    }

    if (start.interrupted()) {
      return;
    }
    double totalSeconds = seconds(start.t0());
    Summary summary = Summary.of(rounds);
    printTable(summary, rotation);
    Path outDir = start.resultsDir(FULL_RUN);
    writeJson(outDir.resolve("security.json"), new SecurityResult(ResultHead.of(startedAt, "h2"), setup(),
        new Goals(GOAL, GOAL), summary, rotation, rounds, round(totalSeconds, 1)));
  }

  /** bench/results/security.json. */
  record SecurityResult(@JsonUnwrapped ResultHead head, Map<String, Object> setup, Goals goals, Summary summary,
      Map<String, Object> certificateRotation, List<Map<String, Object>> rounds, Double wholeBenchmarkSeconds) {}

  record Goals(double putOnOverOff, double getOnOverOff) {}

  /** What an "on" round's nodes get: their TLS folders (certs/node-N), the tokens file, and the token clients send. */
  record Security(Path certs, Path tokensFile, String token) {}

  /**
   * One mode's medians over its rounds, and every round's figure. The nodes' CPU per request
   * (CPU milliseconds of all three nodes ÷ requests answered) is what security adds to the
   * nodes' work, which a throughput on a shared machine shows only through the noise.
   */
  record ModeFigures(Double putPerSecond, Double getPerSecond, List<Double> putRuns, List<Double> getRuns,
      Double nodeCpuMsPerPut, Double nodeCpuMsPerGet) {

    static ModeFigures of(List<Map<String, Object>> rounds, String mode) {
      List<Double> puts = new ArrayList<>();
      List<Double> gets = new ArrayList<>();
      List<Double> putCpu = new ArrayList<>();
      List<Double> getCpu = new ArrayList<>();
      for (Map<String, Object> run : rounds) {
        if (mode.equals(run.get("security")) && run.containsKey("get")) {
          puts.add(perSecond(run.get("put")));
          gets.add(perSecond(run.get("get")));
          putCpu.add(nodeCpuMsPerRequest(run.get("put")));
          getCpu.add(nodeCpuMsPerRequest(run.get("get")));
        }
      }
      return new ModeFigures(median(puts, 1), median(gets, 1), puts, gets, median(putCpu, 2), median(getCpu, 2));
    }

    @SuppressWarnings("unchecked")
    private static double perSecond(Object phase) {
      return ((Number) ((Map<String, Object>) phase).get("perSecond")).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static Double nodeCpuMsPerRequest(Object phase) {
      Map<String, Object> p = (Map<String, Object>) phase;
      Object cores = ((Map<String, Object>) p.get("cpu")).get("nodesCores");
      int ok = ((Number) p.get("ok")).intValue();
      return cores == null || ok == 0 ? null
          : round(((Number) cores).doubleValue() * ((Number) p.get("seconds")).doubleValue() * 1000 / ok, 2);
    }

    private static Double median(List<Double> values, int digits) {
      List<Double> known = values.stream().filter(v -> v != null).toList();
      return known.isEmpty() ? null : round(ClusterBench.median(known), digits);
    }
  }

  record Summary(ModeFigures off, ModeFigures on, Double putOnOverOff, Double getOnOverOff,
      Double nodeCpuPerPutOnOverOff, Double nodeCpuPerGetOnOverOff) {

    static Summary of(List<Map<String, Object>> rounds) {
      ModeFigures off = ModeFigures.of(rounds, "off");
      ModeFigures on = ModeFigures.of(rounds, "on");
      return new Summary(off, on, ratioOf(on.putPerSecond(), off.putPerSecond()),
          ratioOf(on.getPerSecond(), off.getPerSecond()), ratioOf(on.nodeCpuMsPerPut(), off.nodeCpuMsPerPut()),
          ratioOf(on.nodeCpuMsPerGet(), off.nodeCpuMsPerGet()));
    }

    private static Double ratioOf(Double a, Double b) {
      return a == null || b == null ? null : ratio(a, b);
    }
  }

  static Map<String, Object> setup() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("nodes", NODES);
    s.put("order", "off, on alternating, " + ROUNDS + " rounds each; every round a fresh H2 TCP server and a fresh cluster");
    s.put("off", "plain Artery (tcp), no API tokens");
    s.put("on", "Artery tls-tcp with mutual TLS (COLONY_TLS_DIR, RSA keys from CertsCommand), COLONY_API_TOKENS_FILE; "
        + "every request carries a bearer token of role write; COLONY_TLS_RELOAD_INTERVAL=" + RELOAD.toSeconds() + "s");
    s.put("concurrency", KvBench.CONCURRENCY);
    s.put("client", "java.net.http.HttpClient (HTTP/1.1, synchronous send) on a fixed pool of " + KvBench.CONCURRENCY
        + " threads, in the same machine as the nodes and the database; request i goes to node i mod 3");
    s.put("valueBytes", KvBench.VALUE_BYTES);
    s.put("warmupPuts", WARMUP);
    s.put("measuredPuts", REQUESTS);
    s.put("measuredGets", REQUESTS);
    s.put("rotations", ROTATIONS);
    s.put("nodeJvm", "java -Xmx256m -jar colony-node.jar");
    s.put("phaseCapSeconds", PHASE_CAP.toSeconds());
    s.put("requestTimeoutSeconds", REQUEST_TIMEOUT.toSeconds());
    return s;
  }

  // ---------------------------------------------------------------- one round

  /** One mode's round: a fresh H2 server and cluster, the KV phases, and (when asked) the rotation. */
  static void measureRound(Security security, Path dir, ExecutorService pool, Map<String, Object> run,
      Map<String, Object> rotation) throws Exception {
    recordMachineLoad(run);
    Db db = startH2(dir);
    run.put("database", db.describe());

    Map<String, String> env = new LinkedHashMap<>();
    List<String> jvmOptions = new ArrayList<>();
    String token = null;
    if (security != null) {
      env.put("COLONY_API_TOKENS_FILE", security.tokensFile().toString());
      env.put("COLONY_TLS_RELOAD_INTERVAL", RELOAD.toSeconds() + "s");
      // Every node has a folder of its own, but the cluster's environment is shared: the
      // setting behind COLONY_TLS_DIR goes in as a system property ("{node}" = its number).
      jvmOptions.add("-Dcolony.node.tls.dir=" + security.certs().resolve("node-{node}"));
      token = security.token();
    }
    long u0 = System.nanoTime();
    BenchCluster cluster = BenchCluster.start("security-" + run.get("security") + "-" + run.get("round"), db, dir, NODES,
        jvmOptions, env, token);
    run.put("clusterUpSeconds", round(seconds(u0), 1));
    System.out.printf(Locale.ROOT, "all %d nodes Up after %.1f s (HTTP ports %s)%n", NODES, seconds(u0), cluster.httpPorts());
    checkSecurity(cluster, security, run);

    KvBench.putThenGet(pool, cluster.bases(), REQUESTS, WARMUP, token, run);

    if (rotation != null) {
      measureRotation(cluster, security.certs(), rotation);
    }
    List<String> complaints = cluster.logComplaints();
    run.put("nodeLogWarningsAndErrors", complaints.size());
    run.put("nodeLogSample", complaints.stream().limit(8).toList());
  }

  /** Fails the round unless the nodes run the mode it claims: the Artery transport, and a PUT without a token refused or not. */
  static void checkSecurity(BenchCluster cluster, Security security, Map<String, Object> run) throws Exception {
    String transport = security == null ? "Artery tcp" : "Artery tls-tcp";
    for (int i = 0; i < cluster.size(); i++) {
      if (!Files.readString(cluster.log(i)).contains("Remoting started with transport [" + transport + "]")) {
        throw new IllegalStateException("node-" + (i + 1) + " does not run " + transport + " (" + cluster.log(i) + ")");
      }
    }
    String withoutToken = put(cluster.base(0), "no-token-probe", KvBench.values[0]);
    boolean refused = withoutToken != null && withoutToken.startsWith("HTTP 401");
    if (refused != (security != null)) {
      throw new IllegalStateException("a PUT without a token answered " + (withoutToken == null ? "2xx" : withoutToken));
    }
    run.put("arteryTransport", transport);
    run.put("putWithoutTokenRefused", refused);
  }

  /**
   * Renews every node's key and certificate {@link #ROTATIONS} times and, each time, polls each
   * node's Artery port (every 100 ms) until it serves the new certificate; the clock starts once
   * the new files are in place. Records each node's time and the slowest per rotation.
   */
  static void measureRotation(BenchCluster cluster, Path certs, Map<String, Object> rotation) throws Exception {
    System.out.printf("%n  certificate rotation (reload interval %d s), %d times%n", RELOAD.toSeconds(), ROTATIONS);
    Path probeClient = certs.resolve("node-" + NODES); // a peer every node accepts
    rotation.put("reloadIntervalMs", RELOAD.toMillis());
    List<Double> slowest = new ArrayList<>();
    List<List<Long>> perNode = new ArrayList<>();
    List<Long> renewMs = new ArrayList<>();
    for (int k = 0; k < ROTATIONS; k++) {
      long r0 = System.nanoTime();
      CertsCommand.run(certs.toString(), "--nodes", String.valueOf(NODES), "--renew");
      long filesInPlace = System.nanoTime();
      renewMs.add((filesInPlace - r0) / 1_000_000);
      List<BigInteger> expected = new ArrayList<>();
      for (int i = 0; i < NODES; i++) {
        expected.add(ArteryProbe.fileSerial(certs.resolve("node-" + (i + 1))));
      }
      Long[] appliedMs = new Long[NODES];
      long deadline = filesInPlace + RELOAD.multipliedBy(4).plusSeconds(10).toNanos();
      while (java.util.Arrays.asList(appliedMs).contains(null) && System.nanoTime() < deadline && !aborted) {
        for (int i = 0; i < NODES; i++) {
          if (appliedMs[i] == null && expected.get(i).equals(servedSerial(cluster.remotePort(i), probeClient))) {
            appliedMs[i] = (System.nanoTime() - filesInPlace) / 1_000_000;
          }
        }
        Thread.sleep(100); // poll interval: the figures are ±100 ms
      }
      List<Long> nodes = java.util.Arrays.asList(appliedMs);
      if (nodes.contains(null)) {
        throw new IllegalStateException("rotation " + (k + 1) + ": not every node served its new certificate within "
            + Duration.ofNanos(deadline - filesInPlace).toSeconds() + " s: " + nodes);
      }
      perNode.add(nodes);
      slowest.add((double) nodes.stream().mapToLong(Long::longValue).max().orElseThrow());
      System.out.printf("  rotation %d: every node serves its new certificate after %.0f ms (per node %s)%n",
          k + 1, slowest.get(k), nodes);
    }
    rotation.put("allNodesServeNewCertificateMedianMs", round(ClusterBench.median(slowest), 0));
    rotation.put("allNodesServeNewCertificateRunsMs", slowest);
    rotation.put("perNodeMs", perNode);
    rotation.put("renewCommandMs", renewMs);
    rotation.put("clusterStayedUp", cluster.allUp());
  }

  /** What the node's port serves, or null while it does not answer a handshake. */
  static BigInteger servedSerial(int remotePort, Path client) {
    try {
      return ArteryProbe.servedSerial(remotePort, client);
    } catch (Exception e) {
      return null;
    }
  }

  static void printTable(Summary s, Map<String, Object> rotation) {
    System.out.println();
    System.out.printf("%-14s | %9s %-28s | %9s %-28s | %9s %9s%n", "security", "PUT/s", "rounds", "GET/s", "rounds",
        "CPU ms", "CPU ms");
    System.out.printf("%-14s | %9s %-28s | %9s %-28s | %9s %9s%n", "", "", "", "", "", "per PUT", "per GET");
    for (ModeFigures m : List.of(s.off(), s.on())) {
      System.out.printf(Locale.ROOT, "%-14s | %9s %-28s | %9s %-28s | %9s %9s%n", (m == s.off() ? "off" : "on") + " (median)",
          KvBench.num(m.putPerSecond()), m.putRuns(), KvBench.num(m.getPerSecond()), m.getRuns(),
          KvBench.num(m.nodeCpuMsPerPut()), KvBench.num(m.nodeCpuMsPerGet()));
    }
    System.out.printf(Locale.ROOT, "%-14s | %9s %-28s | %9s %-28s | %9s %9s%n", "on / off", KvBench.num(s.putOnOverOff()),
        "(goal >= " + GOAL + ")", KvBench.num(s.getOnOverOff()), "(goal >= " + GOAL + ")",
        KvBench.num(s.nodeCpuPerPutOnOverOff()), KvBench.num(s.nodeCpuPerGetOnOverOff()));
    System.out.printf(Locale.ROOT, "%ncertificate rotation, all nodes serving the new one: %s ms median, runs %s "
        + "(reload interval %d ms)%n", rotation.get("allNodesServeNewCertificateMedianMs"),
        rotation.get("allNodesServeNewCertificateRunsMs"), RELOAD.toMillis());
  }
}
