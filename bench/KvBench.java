import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Key-value store throughput next to its own baselines, in one run. Run from the repository
 * root after `mvn -DskipTests package`:
 *
 *   java -cp http-api/target/colony-node.jar bench/KvBench.java
 *
 * For each store (H2 over its TCP server, a throwaway PostgreSQL 15 with fsync on) and each
 * cluster size (1 and 3 nodes) it starts a fresh database and fresh nodes on free loopback
 * ports (logs under target/bench-kv/), then measures with 64 concurrent clients:
 *  - durable PUT /v1/kv/{key}: 10,000 distinct keys, 256-byte random values, after 2,000
 *    uncounted warm-up PUTs; requests go round-robin over all nodes;
 *  - GET /v1/kv/{key} of the keys just written (bodies are compared with what was written);
 *  - GET /alive, the constant-response route, as the HTTP ceiling of the same nodes and client;
 *  - raw JDBC into the same database, 64 threads with one connection each: a 256-byte row per
 *    autocommit INSERT, and 100-row batches per commit.
 * Only 2xx answers count as successes. Every phase is bounded by a request count and a time cap,
 * and the whole run by an overall deadline; every process and database it started is stopped
 * in a finally block and by a shutdown hook.
 *
 * Prints a table and writes bench/results/kv-h2.json and bench/results/kv-postgres.json.
 * Smaller runs (for trying the bench out) through system properties, e.g.
 *   java -Dkv.stores=h2 -Dkv.sizes=1 -Dkv.requests=2000 -cp … bench/KvBench.java
 * (such runs write their JSON under target/bench-kv/ instead of bench/results/).
 */
public class KvBench {

  static final Path JAR = Path.of("http-api/target/colony-node.jar").toAbsolutePath();
  static final Path WORK = Path.of("target/bench-kv").toAbsolutePath();
  static final String HOST = "127.0.0.1";

  static final int CONCURRENCY = 64;
  static final int VALUE_BYTES = 256;
  static final int BATCH_ROWS = 100;
  static final int REQUESTS = Integer.getInteger("kv.requests", 10_000);
  static final int WARMUP = Integer.getInteger("kv.warmup", 2_000);
  static final int JDBC_ROWS = Integer.getInteger("kv.jdbcRows", 10_000);
  /** Batched inserts are much faster than single commits: more rows keep that phase measurable. */
  static final int JDBC_BATCHED_ROWS = Integer.getInteger("kv.jdbcBatchedRows", 50_000);
  static final List<String> STORES = List.of(System.getProperty("kv.stores", "h2,postgres").split(","));
  static final List<Integer> SIZES = Stream.of(System.getProperty("kv.sizes", "1,3").split(","))
      .map(String::trim).map(Integer::parseInt).toList();
  /** Extra JVM options for the nodes (default none: nodes run exactly as `java -Xmx256m -jar`). */
  static final List<String> NODE_JVM_OPTS = Stream.of(System.getProperty("kv.nodeJvmOpts", "").trim().split("\\s+"))
      .filter(o -> !o.isEmpty()).toList();
  static final boolean FULL_RUN = REQUESTS == 10_000 && WARMUP == 2_000 && STORES.size() == 2 && SIZES.size() == 2
      && JDBC_ROWS == 10_000 && JDBC_BATCHED_ROWS == 50_000 && NODE_JVM_OPTS.isEmpty();

  static final Duration PHASE_CAP = Duration.ofSeconds(Long.getLong("kv.phaseCapSeconds", 120));
  static final Duration TOTAL_CAP = Duration.ofMinutes(Long.getLong("kv.totalCapMinutes", 14));
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  static final Duration UP_TIMEOUT = Duration.ofSeconds(120);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

  static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  /** Stop actions of everything started and not yet stopped, newest last. */
  static final List<Cleanup> CLEANUPS = new ArrayList<>();

  static long benchDeadline;
  /** Set by the shutdown hook: phases stop taking work and no result files are written. */
  static volatile boolean aborted;
  /** The nodes and the H2 server of the configuration being measured, for CPU accounting. */
  static final List<Process> NODES = new java.util.concurrent.CopyOnWriteArrayList<>();
  static Process h2Server;
  /** The postmaster of the throwaway PostgreSQL being measured; its backends are its descendants. */
  static volatile ProcessHandle postmaster;
  static byte[][] values;

  public static void main(String[] args) throws Exception {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run `mvn -B -q -o -DskipTests package` first, "
          + "and run this from the repository root");
    }
    Instant startedAt = Instant.now();
    long t0 = System.nanoTime();
    benchDeadline = t0 + TOTAL_CAP.toNanos();
    Path runDir = WORK.resolve("run-" + startedAt.getEpochSecond());
    Files.createDirectories(runDir);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      aborted = true;
      cleanupAll();
    }, "kv-bench-cleanup"));

    Random random = new Random(42);
    int maxRows = Math.max(REQUESTS + WARMUP, Math.max(JDBC_ROWS, JDBC_BATCHED_ROWS));
    values = new byte[maxRows][];
    for (int i = 0; i < maxRows; i++) {
      values[i] = new byte[VALUE_BYTES];
      random.nextBytes(values[i]);
    }

    Map<String, List<Map<String, Object>>> results = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    try {
      for (String store : STORES) {
        List<Map<String, Object>> runs = new ArrayList<>();
        results.put(store, runs);
        for (int nodes : SIZES) {
          Path dir = runDir.resolve(store + "-" + nodes + "n");
          Files.createDirectories(dir);
          Map<String, Object> run = new LinkedHashMap<>();
          run.put("store", store);
          run.put("nodes", nodes);
          runs.add(run);
          if (aborted) {
            break;
          }
          if (System.nanoTime() > benchDeadline) {
            run.put("skipped", "overall time cap of " + TOTAL_CAP.toMinutes() + " min reached");
            System.out.printf("%n=== %s, %d node(s): skipped (time cap)%n", store, nodes);
            continue;
          }
          System.out.printf("%n=== %s, %d node(s); logs in %s%n", store, nodes, dir);
          long c0 = System.nanoTime();
          try {
            measure(store, nodes, dir, pool, run);
          } catch (Exception e) {
            run.put("failed", e.toString());
            System.out.println("FAILED: " + e);
            e.printStackTrace(System.out);
          } finally {
            cleanupAll();
            run.put("configurationSeconds", round(seconds(c0), 1));
          }
        }
      }
    } finally {
      pool.shutdownNow();
      cleanupAll();
    }

    if (aborted) {
      System.out.println("interrupted: no results written");
      return;
    }
    double totalSeconds = seconds(t0);
    printTable(results);
    System.out.printf(Locale.ROOT, "%nwhole benchmark: %.0f s on %d cores%n", totalSeconds,
        Runtime.getRuntime().availableProcessors());

    Path outDir = FULL_RUN ? Path.of("bench/results") : runDir;
    Files.createDirectories(outDir);
    for (Map.Entry<String, List<Map<String, Object>>> e : results.entrySet()) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("measuredAt", startedAt.toString());
      doc.put("machine", Runtime.getRuntime().availableProcessors() + " cores");
      doc.put("cores", Runtime.getRuntime().availableProcessors());
      doc.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
      doc.put("store", e.getKey());
      doc.put("setup", setup());
      Map<String, Object> goals = new LinkedHashMap<>();
      goals.put("putOverJdbcOneCommit", 1.0);
      goals.put("putOverJdbcBatched", 0.2);
      goals.put("getOverAlive", 0.6);
      doc.put("goals", goals);
      doc.put("runs", e.getValue());
      doc.put("wholeBenchmarkSeconds", round(totalSeconds, 1));
      Path out = outDir.resolve("kv-" + e.getKey() + ".json");
      Files.writeString(out, json(doc, "") + "\n");
      System.out.println("wrote " + out);
    }
  }

  static Map<String, Object> setup() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("concurrency", CONCURRENCY);
    s.put("client", "java.net.http.HttpClient (HTTP/1.1, synchronous send) on a fixed pool of " + CONCURRENCY
        + " threads, in the same machine as the nodes and the database");
    s.put("valueBytes", VALUE_BYTES);
    s.put("warmupPuts", WARMUP);
    s.put("measuredPuts", REQUESTS);
    s.put("measuredGets", REQUESTS);
    s.put("measuredAlive", REQUESTS);
    s.put("jdbcOneCommitRows", JDBC_ROWS);
    s.put("jdbcBatchedRows", JDBC_BATCHED_ROWS);
    s.put("jdbcBatchRows", BATCH_ROWS);
    s.put("nodeJvm", "java -Xmx256m " + String.join(" ", NODE_JVM_OPTS) + (NODE_JVM_OPTS.isEmpty() ? "" : " ")
        + "-jar colony-node.jar (defaults: 10 journal connections per node)");
    s.put("phaseCapSeconds", PHASE_CAP.toSeconds());
    s.put("requestTimeoutSeconds", REQUEST_TIMEOUT.toSeconds());
    return s;
  }

  // ---------------------------------------------------------------- one store × cluster size

  static void measure(String store, int nodeCount, Path dir, ExecutorService pool, Map<String, Object> run)
      throws Exception {
    // How busy the machine was before this configuration started (other programs skew results).
    CpuSnapshot idle0 = CpuSnapshot.take();
    Thread.sleep(1000);
    run.put("machineBusyPercentBeforeStart", CpuSnapshot.take().since(idle0, 1.0).get("machineBusyPercent"));
    run.put("loadAverageBeforeStart", loadAverage());

    Db db = store.equals("h2") ? startH2(dir) : startPostgres(dir);
    run.put("database", db.describe);

    List<Integer> httpPorts = new ArrayList<>();
    List<Integer> remotePorts = new ArrayList<>();
    for (int i = 0; i < nodeCount; i++) {
      httpPorts.add(freePort());
      remotePorts.add(freePort());
    }
    String seeds = remotePorts.stream().map(p -> HOST + ":" + p).collect(Collectors.joining(","));
    List<Process> nodes = new ArrayList<>();
    long u0 = System.nanoTime();
    for (int i = 0; i < nodeCount; i++) {
      List<String> command = new ArrayList<>(List.of("java", "-Xmx256m"));
      command.addAll(NODE_JVM_OPTS);
      command.addAll(List.of("-jar", JAR.toString()));
      ProcessBuilder b = new ProcessBuilder(command);
      Map<String, String> env = b.environment();
      env.put("COLONY_HOST", HOST);
      env.put("COLONY_HTTP_PORT", String.valueOf(httpPorts.get(i)));
      env.put("COLONY_REMOTE_PORT", String.valueOf(remotePorts.get(i)));
      env.put("COLONY_MANAGEMENT_PORT", String.valueOf(freePort()));
      env.put("COLONY_SEED_NODES", seeds);
      env.put("COLONY_DB_URL", db.nodeUrl);
      env.put("COLONY_DB_USER", db.user);
      env.put("COLONY_DB_PASSWORD", db.password);
      env.put("COLONY_DATA_DIR", dir.resolve("data-" + (i + 1)).toString());
      b.redirectErrorStream(true).redirectOutput(dir.resolve("node-" + (i + 1) + ".log").toFile());
      Process p = b.start();
      nodes.add(p);
      NODES.add(p);
      register("node " + (i + 1) + " of " + store + "-" + nodeCount + "n", () -> stopProcess(p));
    }
    awaitUp(nodes, httpPorts, dir);
    run.put("clusterUpSeconds", round(seconds(u0), 1));
    System.out.printf(Locale.ROOT, "all %d node(s) Up after %.1f s (HTTP ports %s)%n", nodeCount, seconds(u0), httpPorts);

    List<String> bases = httpPorts.stream().map(p -> "http://" + HOST + ":" + p).toList();
    int n = bases.size();

    // --- PUT: warm-up keys, then the measured keys; request i goes to node i mod n.
    Phase warmPut = runPhase(pool, "PUT warm-up", WARMUP, 1, () -> i -> put(bases.get(i % n), "warm-" + i, values[REQUESTS + i]));
    System.out.println(warmPut.line());
    Phase put = runPhase(pool, "PUT", REQUESTS, 1, () -> i -> put(bases.get(i % n), key(i), values[i]));
    System.out.println(put.line());
    run.put("putWarmup", warmPut.toMap());
    run.put("put", put.toMap());

    // --- the read side (key index) follows the journal; let it catch up so that its polling
    // does not spill into the GET phase, and report how long that took.
    run.put("keyIndexCatchUp", awaitKeyIndex(bases, put.ok()));

    // --- GET of the keys just written; a short warm-up over a slice of them first.
    Phase warmGet = runPhase(pool, "GET warm-up", Math.min(WARMUP, REQUESTS), 1,
        () -> i -> get(bases.get((i + 1) % n), key(i), values[i]));
    System.out.println(warmGet.line());
    Phase get = runPhase(pool, "GET", REQUESTS, 1, () -> i -> get(bases.get(i % n), key(i), values[i]));
    System.out.println(get.line());
    run.put("get", get.toMap());

    // --- the constant route of the same nodes.
    Phase warmAlive = runPhase(pool, "alive warm-up", WARMUP, 1, () -> i -> alive(bases.get(i % n)));
    System.out.println(warmAlive.line());
    Phase alive = runPhase(pool, "GET /alive", REQUESTS, 1, () -> i -> alive(bases.get(i % n)));
    System.out.println(alive.line());
    run.put("alive", alive.toMap());

    // --- durability cross-check: every acknowledged PUT must be a journal row.
    run.put("journalRowsForMeasuredKeys", journalRows(db, "kv|bench-%"));

    // --- raw JDBC into the same database, nodes still running (idle).
    createRawTable(db);
    Phase jdbcWarm = jdbcPhase(pool, db, "JDBC warm-up", Math.min(2_000, JDBC_ROWS), 1, "raw-w-");
    System.out.println(jdbcWarm.line());
    Phase oneCommit = jdbcPhase(pool, db, "JDBC 1 row/commit", JDBC_ROWS, 1, "raw-1-");
    System.out.println(oneCommit.line());
    Phase batched = jdbcPhase(pool, db, "JDBC " + BATCH_ROWS + " rows/commit", JDBC_BATCHED_ROWS / BATCH_ROWS,
        BATCH_ROWS, "raw-b-");
    System.out.println(batched.line());
    run.put("jdbcOneCommit", oneCommit.toMap());
    run.put("jdbcBatched", batched.toMap());

    Map<String, Object> ratios = new LinkedHashMap<>();
    ratios.put("putOverJdbcOneCommit", ratio(put.perSecond(), oneCommit.perSecond()));
    ratios.put("putOverJdbcBatched", ratio(put.perSecond(), batched.perSecond()));
    ratios.put("getOverAlive", ratio(get.perSecond(), alive.perSecond()));
    run.put("ratios", ratios);

    List<String> complaints = new ArrayList<>();
    for (int i = 0; i < nodeCount; i++) {
      complaints.addAll(logComplaints(dir.resolve("node-" + (i + 1) + ".log"), "node-" + (i + 1)));
    }
    run.put("nodeLogWarningsAndErrors", complaints.size());
    run.put("nodeLogSample", complaints.stream().limit(8).toList());
  }

  /**
   * Waits (at most 60 s) until every node's key listing holds at least {@code expected}
   * measured keys; returns the seconds that took per node, or what was listed at the limit.
   */
  static Map<String, Object> awaitKeyIndex(List<String> bases, int expected) throws Exception {
    long t0 = System.nanoTime();
    long deadline = Math.min(t0 + Duration.ofSeconds(60).toNanos(), benchDeadline);
    Map<String, Object> result = new LinkedHashMap<>();
    List<Double> perNode = new ArrayList<>();
    for (String base : bases) {
      int listed = -1;
      while (true) {
        listed = countListedKeys(base, expected);
        if (listed >= expected || System.nanoTime() > deadline) {
          break;
        }
        Thread.sleep(200); // polling interval while waiting for the read side
      }
      perNode.add(round(seconds(t0), 2));
      if (listed < expected) {
        result.put("notCaughtUp", base + " listed " + listed + " of " + expected + " keys after "
            + round(seconds(t0), 1) + " s");
        break;
      }
    }
    result.put("secondsAfterLastPutUntilListedPerNode", perNode);
    System.out.println("  key index caught up: " + result);
    return result;
  }

  /** Counts keys under the bench-prefix by paging through GET /v1/kv (bounded page count). */
  static int countListedKeys(String base, int expected) {
    int count = 0;
    String after = null;
    for (int page = 0; page <= expected / 1000 + 1; page++) {
      String url = base + "/v1/kv?prefix=bench-&limit=1000" + (after == null ? "" : "&after=" + after);
      String body;
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          return -1;
        }
        body = r.body();
      } catch (IOException | InterruptedException e) {
        return -1;
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"(bench-\\d+)\"").matcher(body);
      int onPage = 0;
      String last = null;
      while (m.find()) {
        onPage++;
        last = m.group(1);
      }
      if (body.contains("\"next\":\"")) {
        onPage--; // the next cursor repeats the page's last key
      }
      count += onPage;
      if (!body.contains("\"next\":\"") || last == null) {
        break;
      }
      after = last;
    }
    return count;
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return null;
    }
  }

  static String key(int i) {
    return String.format(Locale.ROOT, "bench-%06d", i);
  }

  // ---------------------------------------------------------------- HTTP operations

  /** Returns null on success, otherwise a short description of the failure. */
  static String put(String base, String key, byte[] value) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key))
        .timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(value))
        .build();
    HttpResponse<byte[]> response = HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray());
    return status(response);
  }

  static String get(String base, String key, byte[] expected) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key)).timeout(REQUEST_TIMEOUT).GET().build();
    HttpResponse<byte[]> response = HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray());
    String failure = status(response);
    if (failure == null && !Arrays.equals(expected, response.body())) {
      return "GET body differs from the value written";
    }
    return failure;
  }

  static String alive(String base) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/alive")).timeout(REQUEST_TIMEOUT).GET().build();
    return status(HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray()));
  }

  static String status(HttpResponse<byte[]> response) {
    int code = response.statusCode();
    if (code >= 200 && code < 300) {
      return null;
    }
    String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
    return "HTTP " + code + " " + body.substring(0, Math.min(120, body.length()));
  }

  // ---------------------------------------------------------------- the load runner

  /** One unit of work; returns null on success or a failure description. */
  interface Op {
    String run(int i) throws Exception;
  }

  /** Makes one worker's Op (and may open what the worker holds, e.g. a connection). */
  interface WorkerFactory {
    Op open() throws Exception;
  }

  record Phase(String name, int planned, int unitsPerOp, int attempted, int ok, int errors, double seconds,
      long[] okLatencies, Map<String, Long> errorKinds, boolean capped, Map<String, Object> cpu) {

    double perSecond() {
      return seconds <= 0 ? 0 : (double) ok * unitsPerOp / seconds;
    }

    double percentileMs(double p) {
      if (okLatencies.length == 0) {
        return Double.NaN;
      }
      int idx = (int) Math.ceil(p / 100.0 * okLatencies.length) - 1;
      return okLatencies[Math.max(0, Math.min(okLatencies.length - 1, idx))] / 1e6;
    }

    String line() {
      return String.format(Locale.ROOT, "  %-22s %6d ok %5d err %5d not sent  %7.2f s  %9.0f /s  p50 %7.2f ms  p99 %7.2f ms  cpu %s%s%s",
          name, ok, errors, planned - attempted, seconds, perSecond(), percentileMs(50), percentileMs(99), cpu,
          capped ? "  (time cap hit)" : "", errorKinds.isEmpty() ? "" : "  errors: " + errorKinds);
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("planned", planned * unitsPerOp);
      if (unitsPerOp > 1) {
        m.put("rowsPerCommit", unitsPerOp);
        m.put("commitsPlanned", planned);
        m.put("commitsOk", ok);
      }
      m.put("ok", ok * unitsPerOp);
      m.put("errors", errors);
      m.put("notSent", planned - attempted);
      m.put("seconds", round(seconds, 3));
      m.put("perSecond", round(perSecond(), 1));
      m.put("p50Ms", round(percentileMs(50), 2));
      m.put("p99Ms", round(percentileMs(99), 2));
      m.put("maxMs", okLatencies.length == 0 ? null : round(okLatencies[okLatencies.length - 1] / 1e6, 2));
      m.put("timeCapHit", capped);
      m.put("errorKinds", new TreeMap<>(errorKinds));
      m.put("cpu", cpu);
      return m;
    }
  }

  /**
   * Runs {@code count} operations on {@value #CONCURRENCY} workers. Workers first open what
   * they need, then start together; the clock runs from that start until the last worker is
   * done. Stops taking new work at the phase cap or the overall deadline, whichever is first.
   */
  static Phase runPhase(ExecutorService pool, String name, int count, int unitsPerOp, WorkerFactory factory)
      throws Exception {
    long cap = Math.min(System.nanoTime() + PHASE_CAP.toNanos(), benchDeadline);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger attempted = new AtomicInteger();
    AtomicBoolean capped = new AtomicBoolean();
    long[] latency = new long[count];
    boolean[] ok = new boolean[count];
    Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
    CountDownLatch ready = new CountDownLatch(CONCURRENCY);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> workers = new ArrayList<>();
    List<Op> opened = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int w = 0; w < CONCURRENCY; w++) {
      workers.add(pool.submit(() -> {
        Op op;
        try {
          op = factory.open();
          opened.add(op);
        } finally {
          ready.countDown();
        }
        if (!go.await(60, TimeUnit.SECONDS)) {
          return null;
        }
        for (int k = 0; k <= count; k++) { // bounded: at most count items exist
          int i = next.getAndIncrement();
          if (i >= count) {
            break;
          }
          if (System.nanoTime() > cap || aborted) {
            capped.set(true);
            break;
          }
          attempted.incrementAndGet();
          long s = System.nanoTime();
          String failure;
          try {
            failure = op.run(i);
          } catch (Exception e) {
            failure = e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage().substring(0, Math.min(100, e.getMessage().length())));
          }
          latency[i] = System.nanoTime() - s;
          if (failure == null) {
            ok[i] = true;
          } else {
            kinds.computeIfAbsent(failure, x -> new LongAdder()).increment();
          }
        }
        return null;
      }));
    }
    if (!ready.await(60, TimeUnit.SECONDS)) {
      go.countDown();
      throw new IllegalStateException(name + ": workers did not get ready within 60 s");
    }
    CpuSnapshot cpu0 = CpuSnapshot.take();
    long t0 = System.nanoTime();
    go.countDown();
    long waitLimit = Math.max(0, cap - System.nanoTime()) + REQUEST_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(30);
    Exception workerFailure = null;
    for (Future<?> f : workers) {
      try {
        f.get(Math.max(1, waitLimit - (System.nanoTime() - t0)), TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        workerFailure = e; // opening the worker's resources failed
      } catch (java.util.concurrent.TimeoutException e) {
        f.cancel(true);
        capped.set(true);
      }
    }
    double elapsed = seconds(t0);
    Map<String, Object> cpu = CpuSnapshot.take().since(cpu0, elapsed);
    synchronized (opened) {
      for (Op op : opened) {
        if (op instanceof AutoCloseable c) {
          try {
            c.close();
          } catch (Exception ignored) {
            // after the measurement; nothing to report
          }
        }
      }
    }
    if (workerFailure != null) {
      throw new IllegalStateException(name + ": a worker failed", workerFailure.getCause());
    }
    int okCount = 0;
    for (boolean b : ok) {
      okCount += b ? 1 : 0;
    }
    long[] okLatencies = new long[okCount];
    for (int i = 0, j = 0; i < count; i++) {
      if (ok[i]) {
        okLatencies[j++] = latency[i];
      }
    }
    Arrays.sort(okLatencies);
    Map<String, Long> errorKinds = new TreeMap<>();
    kinds.forEach((k, v) -> errorKinds.put(k, v.sum()));
    int errors = (int) errorKinds.values().stream().mapToLong(Long::longValue).sum();
    return new Phase(name, count, unitsPerOp, attempted.get(), okCount, errors, elapsed, okLatencies, errorKinds,
        capped.get(), cpu);
  }

  /**
   * CPU used during a phase: the whole machine (from /proc/stat, as a share of all cores), the
   * nodes together, the H2 server and this driver (each in cores, i.e. CPU seconds per second).
   */
  record CpuSnapshot(long machineBusy, long machineTotal, long nodesNanos, long h2Nanos, Map<Long, Long> pgNanos,
      long benchNanos) {

    static CpuSnapshot take() {
      long busy = -1;
      long total = -1;
      try {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        total = 0;
        for (int i = 1; i < Math.min(f.length, 9); i++) {
          total += Long.parseLong(f[i]);
        }
        busy = total - idle;
      } catch (Exception notLinux) {
        // leave -1: no machine-wide figure
      }
      long nodes = 0;
      for (Process p : NODES) {
        nodes += cpuNanos(p.toHandle());
      }
      // Per process: backends come and go, and one that exits takes its CPU time along.
      Map<Long, Long> pg = new java.util.HashMap<>();
      ProcessHandle pm = postmaster;
      if (pm != null) {
        Stream.concat(Stream.of(pm), pm.descendants()).forEach(h -> pg.put(h.pid(), cpuNanos(h)));
      }
      return new CpuSnapshot(busy, total, nodes, h2Server == null ? 0 : cpuNanos(h2Server.toHandle()), pg,
          cpuNanos(ProcessHandle.current()));
    }

    static long cpuNanos(ProcessHandle h) {
      return h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    Map<String, Object> since(CpuSnapshot before, double seconds) {
      Map<String, Object> m = new LinkedHashMap<>();
      double nodes = (nodesNanos - before.nodesNanos) / 1e9 / seconds;
      double h2 = (h2Nanos - before.h2Nanos) / 1e9 / seconds;
      long pgDelta = 0;
      for (Map.Entry<Long, Long> e : pgNanos.entrySet()) { // backends that exited meanwhile are not counted
        pgDelta += Math.max(0, e.getValue() - before.pgNanos.getOrDefault(e.getKey(), 0L));
      }
      double pg = pgDelta / 1e9 / seconds;
      double bench = (benchNanos - before.benchNanos) / 1e9 / seconds;
      m.put("nodesCores", round(nodes, 2));
      if (h2Server != null) {
        m.put("h2Cores", round(h2, 2));
      }
      if (postmaster != null) {
        m.put("postgresCores", round(pg, 2));
      }
      m.put("benchCores", round(bench, 2));
      if (machineTotal > before.machineTotal && before.machineTotal >= 0) {
        double busy = (double) (machineBusy - before.machineBusy) / (machineTotal - before.machineTotal);
        int cores = Runtime.getRuntime().availableProcessors();
        m.put("machineBusyPercent", round(100.0 * busy, 0));
        // What the rest of the machine (other programs, the kernel) used meanwhile.
        m.put("otherCores", round(Math.max(0, busy * cores - nodes - h2 - pg - bench), 2));
      }
      return m;
    }
  }

  // ---------------------------------------------------------------- raw JDBC baselines

  static void createRawTable(Db db) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_raw");
      s.execute(db.isPostgres
          ? "CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, k VARCHAR(512), v BYTEA)"
          : "CREATE TABLE bench_raw (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, k VARCHAR(512), v VARBINARY)");
    }
  }

  /** A JDBC worker: one connection, one prepared INSERT; op i writes rows i*rows … i*rows+rows-1. */
  static final class JdbcWorker implements Op, AutoCloseable {
    final Connection connection;
    final PreparedStatement insert;
    final int rows;
    final String prefix;

    JdbcWorker(Db db, int rows, String prefix) throws Exception {
      this.connection = db.connect();
      this.connection.setAutoCommit(rows == 1);
      this.insert = connection.prepareStatement("INSERT INTO bench_raw (k, v) VALUES (?, ?)");
      this.rows = rows;
      this.prefix = prefix;
    }

    @Override
    public String run(int i) throws Exception {
      if (rows == 1) {
        insert.setString(1, prefix + i);
        insert.setBytes(2, values[i % values.length]);
        insert.executeUpdate();
        return null;
      }
      try {
        for (int r = 0; r < rows; r++) {
          int row = i * rows + r;
          insert.setString(1, prefix + row);
          insert.setBytes(2, values[row % values.length]);
          insert.addBatch();
        }
        insert.executeBatch();
        connection.commit();
        return null;
      } catch (Exception e) {
        try {
          connection.rollback();
        } catch (Exception ignored) {
          // the failure above is what gets reported
        }
        throw e;
      }
    }

    @Override
    public void close() {
      try {
        connection.close();
      } catch (Exception ignored) {
        // closing after the measurement; nothing to report
      }
    }
  }

  static Phase jdbcPhase(ExecutorService pool, Db db, String name, int ops, int rowsPerOp, String prefix)
      throws Exception {
    return runPhase(pool, name, ops, rowsPerOp, () -> new JdbcWorker(db, rowsPerOp, prefix));
  }

  static Object journalRows(Db db, String persistenceIdPattern) {
    try (Connection c = db.connect();
        PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM event_journal WHERE persistence_id LIKE ?")) {
      s.setString(1, persistenceIdPattern);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (Exception e) {
      return "could not count: " + e.getMessage();
    }
  }

  // ---------------------------------------------------------------- databases

  record Db(String describe, String nodeUrl, String benchUrl, String user, String password, boolean isPostgres) {
    Connection connect() throws Exception {
      return DriverManager.getConnection(benchUrl, user, password);
    }
  }

  static Db startH2(Path dir) throws Exception {
    int port = freePort();
    Path base = dir.resolve("h2");
    Files.createDirectories(base);
    ProcessBuilder b = new ProcessBuilder("java", "-Xmx256m", "-cp", JAR.toString(), "org.h2.tools.Server",
        "-tcp", "-tcpPort", String.valueOf(port), "-ifNotExists", "-baseDir", base.toString());
    b.redirectErrorStream(true).redirectOutput(dir.resolve("h2.log").toFile());
    Process h2 = b.start();
    h2Server = h2;
    register("H2 server on port " + port, () -> {
      stopProcess(h2);
      deleteTree(base);
    });
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!listening(port)) {
      if (!h2.isAlive()) {
        throw new IllegalStateException("the H2 server exited: " + Files.readString(dir.resolve("h2.log")));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the H2 server did not listen on " + port + " within 30 s");
      }
      Thread.sleep(100);
    }
    // The nodes add DATABASE_TO_UPPER=false themselves; the bench's own connections use the same setting.
    String url = "jdbc:h2:tcp://" + HOST + ":" + port + "/colony";
    String version;
    try (Connection c = DriverManager.getConnection(url + ";DATABASE_TO_UPPER=false", "sa", "")) {
      version = "H2 " + c.getMetaData().getDatabaseProductVersion();
    }
    return new Db(version + " TCP server (" + url + ")", url, url + ";DATABASE_TO_UPPER=false", "sa", "", false);
  }

  /**
   * .ci/postgres picks its port by probing with a connect, which misses ports held by outgoing
   * connections (or taken meanwhile); start-up then fails with "Address already in use". Up to
   * three attempts, each in a fresh folder.
   */
  static Db startPostgres(Path dir) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return startPostgresOnce(dir, attempt);
      } catch (IllegalStateException e) {
        if (attempt >= 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
          throw e;
        }
        System.out.println("  PostgreSQL did not start (its port was taken); trying again in a fresh folder");
        cleanupAll();
      }
    }
  }

  static Db startPostgresOnce(Path dir, int attempt) throws Exception {
    Path pgDir = Path.of("/tmp/colony-kv-bench-pg-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    register("PostgreSQL in " + pgDir, () -> runQuietly(dir.resolve("postgres-stop.log"), ".ci/postgres", "stop", pgDir.toString()));
    ProcessBuilder b = new ProcessBuilder("bash", ".ci/postgres", "start", pgDir.toString());
    Path startLog = dir.resolve("postgres-start-" + attempt + ".log");
    b.redirectError(startLog.toFile());
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(".ci/postgres start failed: " + Files.readString(startLog));
    }
    Map<String, String> vars = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        vars.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    String url = vars.get("COLONY_DB_URL");
    if (url == null || !url.startsWith("jdbc:postgresql://127.0.0.1:")) {
      throw new IllegalStateException(".ci/postgres printed no loopback COLONY_DB_URL: " + out);
    }
    try {
      long pid = Long.parseLong(Files.readAllLines(pgDir.resolve("data/postmaster.pid")).get(0).trim());
      postmaster = ProcessHandle.of(pid).orElse(null);
    } catch (Exception e) {
      System.out.println("  (no postmaster pid; PostgreSQL CPU is not accounted: " + e + ")");
    }
    String user = vars.getOrDefault("COLONY_DB_USER", "postgres");
    String password = vars.getOrDefault("COLONY_DB_PASSWORD", "");
    String version;
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SHOW server_version")) {
      r.next();
      version = "PostgreSQL " + r.getString(1);
      try (ResultSet f = s.executeQuery("SHOW fsync")) {
        f.next();
        version += ", fsync " + f.getString(1);
      }
      try (ResultSet f = s.executeQuery("SHOW synchronous_commit")) {
        f.next();
        version += ", synchronous_commit " + f.getString(1);
      }
    }
    return new Db(version + " (" + url + ")", url, url, user, password, true);
  }

  // ---------------------------------------------------------------- processes

  static void awaitUp(List<Process> nodes, List<Integer> httpPorts, Path dir) throws Exception {
    long deadline = System.nanoTime() + UP_TIMEOUT.toNanos();
    int n = nodes.size();
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < n; i++) {
        if (!nodes.get(i).isAlive()) {
          throw new IllegalStateException("node " + (i + 1) + " exited during start-up; see "
              + dir.resolve("node-" + (i + 1) + ".log") + ":\n" + tail(dir.resolve("node-" + (i + 1) + ".log"), 15));
        }
      }
      boolean all = true;
      for (int i = 0; i < n && all; i++) {
        String base = "http://" + HOST + ":" + httpPorts.get(i);
        all = statusOf(base + "/ready") == 200 && countUp(base) == n;
      }
      if (all) {
        return;
      }
      Thread.sleep(250); // polling interval while waiting for start-up
    }
    throw new IllegalStateException("not all " + n + " node(s) were Up within " + UP_TIMEOUT.toSeconds() + " s");
  }

  static int countUp(String base) {
    try {
      String body = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/cluster/members")).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return body.split("\"status\":\"Up\"", -1).length - 1;
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  static int statusOf(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException | InterruptedException e) {
      return -1;
    }
  }

  static void stopProcess(Process p) {
    if (!p.isAlive()) {
      return;
    }
    p.destroy(); // SIGTERM: a node leaves the cluster gracefully
    try {
      if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        System.out.println("  process " + p.pid() + " did not stop within " + STOP_TIMEOUT.toSeconds() + " s; killing it");
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static void runQuietly(Path log, String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (IOException | InterruptedException e) {
      System.out.println("  " + String.join(" ", command) + " failed: " + e);
    }
  }

  record Cleanup(String what, Runnable action) {}

  static synchronized void register(String what, Runnable action) {
    CLEANUPS.add(new Cleanup(what, action));
  }

  /** Stops everything started so far: nodes first (SIGTERM to all at once), then databases. */
  static void cleanupAll() {
    NODES.clear();
    h2Server = null;
    postmaster = null;
    List<Cleanup> todo;
    synchronized (KvBench.class) {
      todo = new ArrayList<>(CLEANUPS);
      CLEANUPS.clear();
    }
    // Nodes were registered after their database: stop the newest first, nodes in parallel.
    List<Thread> nodeStops = new ArrayList<>();
    for (int i = todo.size() - 1; i >= 0; i--) {
      Cleanup c = todo.get(i);
      if (c.what().startsWith("node ")) {
        Thread t = new Thread(c.action(), "stop " + c.what());
        t.start();
        nodeStops.add(t);
      }
    }
    for (Thread t : nodeStops) {
      try {
        t.join(STOP_TIMEOUT.toMillis() + 15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (int i = todo.size() - 1; i >= 0; i--) {
      Cleanup c = todo.get(i);
      if (!c.what().startsWith("node ")) {
        try {
          c.action().run();
        } catch (RuntimeException e) {
          System.out.println("  stopping " + c.what() + " failed: " + e);
        }
      }
    }
  }

  // ---------------------------------------------------------------- small helpers

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  static List<String> logComplaints(Path log, String who) {
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
          .map(l -> who + ": " + l.substring(0, Math.min(300, l.length())))
          .toList();
    } catch (Exception e) {
      return List.of(who + ": log unreadable: " + e.getMessage());
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.out.println("  could not delete " + root + ": " + e);
    }
  }

  static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static Double round(double v, int digits) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return null;
    }
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  static Double ratio(double a, double b) {
    return b <= 0 ? null : round(a / b, 3);
  }

  @SuppressWarnings("unchecked")
  static void printTable(Map<String, List<Map<String, Object>>> results) {
    System.out.println();
    System.out.printf("%-8s %5s | %8s %7s %7s %5s | %8s %7s %7s %5s | %8s | %9s %9s | %7s %7s %7s%n",
        "store", "nodes", "PUT/s", "p50 ms", "p99 ms", "err", "GET/s", "p50 ms", "p99 ms", "err", "alive/s",
        "JDBC 1/c", "JDBC 100/c", "PUT/1c", "PUT/bat", "GET/alv");
    System.out.printf("%-8s %5s | %8s %7s %7s %5s | %8s %7s %7s %5s | %8s | %9s %9s | %7s %7s %7s%n",
        "", "", "", "", "", "", "", "", "", "", "req/s", "rows/s", "rows/s", ">=1.0", ">=0.2", ">=0.6");
    for (List<Map<String, Object>> runs : results.values()) {
      for (Map<String, Object> run : runs) {
        if (run.containsKey("skipped") || !run.containsKey("ratios")) {
          System.out.printf("%-8s %5s | %s%n", run.get("store"), run.get("nodes"),
              run.containsKey("skipped") ? "skipped: " + run.get("skipped") : "failed: " + run.get("failed"));
          continue;
        }
        Map<String, Object> put = (Map<String, Object>) run.get("put");
        Map<String, Object> get = (Map<String, Object>) run.get("get");
        Map<String, Object> alive = (Map<String, Object>) run.get("alive");
        Map<String, Object> one = (Map<String, Object>) run.get("jdbcOneCommit");
        Map<String, Object> bat = (Map<String, Object>) run.get("jdbcBatched");
        Map<String, Object> r = (Map<String, Object>) run.get("ratios");
        System.out.printf(Locale.ROOT, "%-8s %5s | %8.0f %7s %7s %5s | %8.0f %7s %7s %5s | %8.0f | %9.0f %9.0f | %7s %7s %7s%n",
            run.get("store"), run.get("nodes"),
            (Double) put.get("perSecond"), num(put.get("p50Ms")), num(put.get("p99Ms")), put.get("errors"),
            (Double) get.get("perSecond"), num(get.get("p50Ms")), num(get.get("p99Ms")), get.get("errors"),
            (Double) alive.get("perSecond"), (Double) one.get("perSecond"), (Double) bat.get("perSecond"),
            num(r.get("putOverJdbcOneCommit")), num(r.get("putOverJdbcBatched")), num(r.get("getOverAlive")));
      }
    }
  }

  static String num(Object v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.2f", ((Number) v).doubleValue());
  }

  // ---------------------------------------------------------------- minimal JSON writer

  static String json(Object v, String indent) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        return "{}";
      }
      String inner = indent + "  ";
      return m.entrySet().stream()
          .map(e -> inner + quote(String.valueOf(e.getKey())) + ": " + json(e.getValue(), inner))
          .collect(Collectors.joining(",\n", "{\n", "\n" + indent + "}"));
    }
    if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        return "[]";
      }
      String inner = indent + "  ";
      return l.stream().map(e -> inner + json(e, inner)).collect(Collectors.joining(",\n", "[\n", "\n" + indent + "]"));
    }
    return quote(v.toString());
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
