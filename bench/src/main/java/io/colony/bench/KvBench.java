package io.colony.bench;

import static io.colony.bench.BenchSupport.*;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * Key-value store throughput next to its own baselines, in one run. From the repository
 * root (builds what is missing):
 *
 *   bench/run.sh kv
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
 *   BENCH_OPTS="-Dkv.stores=h2 -Dkv.sizes=1 -Dkv.requests=2000" bench/run.sh kv
 * (such runs write their JSON under target/bench-kv/ instead of bench/results/).
 */
public final class KvBench {

  static final Path WORK = Path.of("target/bench-kv").toAbsolutePath();
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
  static byte[][] values;

  public static void main(String[] args) throws Exception {
    RunStart start = startRun(WORK, TOTAL_CAP, PHASE_CAP, "kv-bench");
    Instant startedAt = start.startedAt();
    Path runDir = start.dir();

    makeValues(Math.max(REQUESTS + WARMUP, Math.max(JDBC_ROWS, JDBC_BATCHED_ROWS)));

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
          if (!measureConfiguration(store + ", " + nodes + " node(s); logs in " + dir, run, TOTAL_CAP,
              () -> measure(store, nodes, dir, pool, run))) {
            break;
          }
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
    printTable(results);
    Path outDir = start.resultsDir(FULL_RUN);
    for (Map.Entry<String, List<Map<String, Object>>> e : results.entrySet()) {
      writeJson(outDir.resolve("kv-" + e.getKey() + ".json"), new KvResult(ResultHead.of(startedAt, e.getKey()), setup(),
          new Goals(1.0, 0.2, 0.6), e.getValue(), round(totalSeconds, 1)));
    }
  }

  /** {@code count} random values of {@link #VALUE_BYTES}, the same in every run (seeded). */
  static void makeValues(int count) {
    Random random = new Random(42);
    values = new byte[count][];
    for (int i = 0; i < count; i++) {
      values[i] = new byte[VALUE_BYTES];
      random.nextBytes(values[i]);
    }
  }

  /** bench/results/kv-&lt;store&gt;.json. */
  record KvResult(@JsonUnwrapped ResultHead head, Map<String, Object> setup, Goals goals, List<Map<String, Object>> runs,
      Double wholeBenchmarkSeconds) {}

  /** The ratios each run's "ratios" are held against. */
  record Goals(double putOverJdbcOneCommit, double putOverJdbcBatched, double getOverAlive) {}

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
    recordMachineLoad(run);

    Db db = store.equals("h2") ? startH2(dir) : startPostgres(dir);
    run.put("database", db.describe());

    long u0 = System.nanoTime();
    BenchCluster cluster = BenchCluster.start(store + "-" + nodeCount + "n", db, dir, nodeCount, NODE_JVM_OPTS, Map.of());
    run.put("clusterUpSeconds", round(seconds(u0), 1));
    System.out.printf(Locale.ROOT, "all %d node(s) Up after %.1f s (HTTP ports %s)%n", nodeCount, seconds(u0), cluster.httpPorts());

    List<String> bases = cluster.bases();
    int n = bases.size();

    KvPhases kv = putThenGet(pool, bases, REQUESTS, WARMUP, null, run);
    Phase put = kv.put();
    Phase get = kv.get();

    // --- the constant route of the same nodes.
    Phase warmAlive = runPhase(pool, "alive warm-up", WARMUP, 1, CONCURRENCY, () -> i -> alive(bases.get(i % n)));
    System.out.println(warmAlive.line());
    Phase alive = runPhase(pool, "GET /alive", REQUESTS, 1, CONCURRENCY, () -> i -> alive(bases.get(i % n)));
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

    List<String> complaints = cluster.logComplaints();
    run.put("nodeLogWarningsAndErrors", complaints.size());
    run.put("nodeLogSample", complaints.stream().limit(8).toList());
  }

  /** The measured PUT and GET phases of {@link #putThenGet}. */
  record KvPhases(Phase put, Phase get) {}

  /**
   * The key-value phases on running nodes, each request with {@code token} as its bearer token
   * (null: none): {@code warmup} uncounted PUTs, {@code requests} PUTs of distinct keys, the
   * key index's catch-up, a GET warm-up over a slice of the keys, then GETs of all of them.
   * Request i goes to node i mod n, so most requests cross nodes. Records what it measured in
   * {@code run} ("putWarmup", "put", "keyIndexCatchUp", "get"); needs {@code requests + warmup} values.
   */
  static KvPhases putThenGet(ExecutorService pool, List<String> bases, int requests, int warmup, String token,
      Map<String, Object> run) throws Exception {
    int n = bases.size();
    Phase warmPut = runPhase(pool, "PUT warm-up", warmup, 1, CONCURRENCY,
        () -> i -> put(bases.get(i % n), "warm-" + i, values[requests + i], token));
    System.out.println(warmPut.line());
    Phase put = runPhase(pool, "PUT", requests, 1, CONCURRENCY, () -> i -> put(bases.get(i % n), key(i), values[i], token));
    System.out.println(put.line());
    run.put("putWarmup", warmPut.toMap());
    run.put("put", put.toMap());

    // The read side (key index) follows the journal; let it catch up so that its polling
    // does not spill into the GET phase, and report how long that took.
    run.put("keyIndexCatchUp", awaitKeyIndex(bases, put.ok(), token));

    Phase warmGet = runPhase(pool, "GET warm-up", Math.min(warmup, requests), 1, CONCURRENCY,
        () -> i -> get(bases.get((i + 1) % n), key(i), values[i], token));
    System.out.println(warmGet.line());
    Phase get = runPhase(pool, "GET", requests, 1, CONCURRENCY, () -> i -> get(bases.get(i % n), key(i), values[i], token));
    System.out.println(get.line());
    run.put("get", get.toMap());
    return new KvPhases(put, get);
  }

  /**
   * Waits (at most 60 s) until every node's key listing holds at least {@code expected}
   * measured keys; returns the seconds that took per node, or what was listed at the limit.
   */
  static Map<String, Object> awaitKeyIndex(List<String> bases, int expected, String token) throws Exception {
    long t0 = System.nanoTime();
    long deadline = Math.min(t0 + Duration.ofSeconds(60).toNanos(), benchDeadline);
    Map<String, Object> result = new LinkedHashMap<>();
    List<Double> perNode = new ArrayList<>();
    for (String base : bases) {
      int listed = -1;
      while (true) {
        listed = countListedKeys(base, expected, token);
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
  static int countListedKeys(String base, int expected, String token) {
    int count = 0;
    String after = null;
    for (int page = 0; page <= expected / 1000 + 1; page++) {
      String url = base + "/v1/kv?prefix=bench-&limit=1000" + (after == null ? "" : "&after=" + after);
      String body;
      try {
        HttpResponse<String> r = HTTP.send(request(url, token).timeout(Duration.ofSeconds(5)).build(),
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

  static void createRawTable(Db db) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_raw");
      s.execute(db.isPostgres()
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
    return runPhase(pool, name, ops, rowsPerOp, CONCURRENCY, () -> new JdbcWorker(db, rowsPerOp, prefix));
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
}
