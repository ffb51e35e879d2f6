package io.colony.bench;

import io.colony.testkit.H2Server;
import io.colony.testkit.NodeProcess;
import io.colony.testkit.Postgres;
import io.colony.testkit.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
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
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * What the load-driving benchmarks share beyond the test kit: stopping everything they started on
 * every exit path, running a measured phase of HTTP or JDBC operations with its CPU accounting,
 * heap readings, and the head of every result file. Databases, node processes and free ports
 * come from {@code io.colony.testkit}. Run from the repository root.
 */
final class BenchSupport {

  private BenchSupport() {}

  /** How long one measured phase may run; each benchmark sets it from its own property. */
  static Duration phaseCap = Duration.ofSeconds(120);

  /** The node jar; bench/run.sh passes its path in {@code colony.jar}. */
  static final Path JAR = NodeProcess.jar();
  static final String HOST = "127.0.0.1";
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);
  static final HttpClient HTTP = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  /** Stop actions of everything started and not yet stopped, newest last. */
  static final List<Cleanup> CLEANUPS = new ArrayList<>();

  /** When the whole run must end (System.nanoTime()); each benchmark sets it. */
  static long benchDeadline;
  /** Set by the shutdown hook: phases stop taking work and no result files are written. */
  static volatile boolean aborted;
  /** The nodes and the database of the configuration being measured, for CPU accounting. */
  static final List<ProcessHandle> NODES = new CopyOnWriteArrayList<>();
  static volatile Db database;

  /** A benchmark run as it started: when, its clock (System.nanoTime()) and its folder. */
  record RunStart(Instant startedAt, long t0, Path dir) {

    /** True, after saying so, when the run was interrupted: it writes no results. */
    boolean interrupted() {
      if (aborted) {
        System.out.println("interrupted: no results written");
      }
      return aborted;
    }

    /**
     * Prints how long the whole run took and answers the folder its results go to: bench/results
     * for a full run, the run's own folder for a smaller trial run.
     */
    Path resultsDir(boolean fullRun) throws IOException {
      System.out.printf(Locale.ROOT, "%nwhole benchmark: %.0f s on %d cores%n", seconds(t0),
          Runtime.getRuntime().availableProcessors());
      Path out = fullRun ? Path.of("bench/results") : dir;
      Files.createDirectories(out);
      return out;
    }
  }

  /**
   * Starts a run from the repository root: checks for the node jar, sets the overall deadline
   * and the phase cap, makes the run's folder ({@code work}/run-&lt;epoch second&gt;) and adds a
   * shutdown hook that stops everything started (an interrupted run writes no results).
   */
  static RunStart startRun(Path work, Duration totalCap, Duration phaseCapOfRun, String name) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR + " is missing: run `mvn -B -q -o -DskipTests package` first, "
          + "and run this from the repository root");
    }
    Instant startedAt = Instant.now();
    long t0 = System.nanoTime();
    benchDeadline = t0 + totalCap.toNanos();
    phaseCap = phaseCapOfRun;
    Path dir = work.resolve("run-" + startedAt.getEpochSecond());
    Files.createDirectories(dir);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      aborted = true;
      cleanupAll();
    }, name + "-cleanup"));
    return new RunStart(startedAt, t0, dir);
  }

  /** One configuration's measurement; what it finds goes into its run map. */
  interface Measurement {
    void run() throws Exception;
  }

  /**
   * Measures one configuration unless the overall time is up (then the run is marked skipped);
   * a failure is recorded in the run, and everything started is stopped either way. False once
   * the benchmark has been interrupted.
   */
  static boolean measureConfiguration(String label, Map<String, Object> run, Duration totalCap, Measurement measurement) {
    if (aborted) {
      return false;
    }
    if (System.nanoTime() > benchDeadline) {
      run.put("skipped", "overall time cap of " + totalCap.toMinutes() + " min reached");
      System.out.printf("%n=== %s: skipped (time cap)%n", label);
      return true;
    }
    System.out.printf("%n=== %s%n", label);
    long c0 = System.nanoTime();
    try {
      measurement.run();
    } catch (Exception e) {
      run.put("failed", e.toString());
      System.out.println("FAILED: " + e);
      e.printStackTrace(System.out);
    } finally {
      cleanupAll();
      run.put("configurationSeconds", round(seconds(c0), 1));
    }
    return true;
  }

  /** Writes one result file (a record) as indented JSON. */
  static void writeJson(Path out, Object result) throws IOException {
    Files.writeString(out, ResultHead.WRITER.writeValueAsString(result) + "\n");
    System.out.println("wrote " + out);
  }

  /** How busy the machine was over the last second, before a configuration starts (other programs skew results). */
  static void recordMachineLoad(Map<String, Object> run) throws InterruptedException {
    CpuSnapshot idle0 = CpuSnapshot.take();
    Thread.sleep(1000);
    run.put("machineBusyPercentBeforeStart", CpuSnapshot.take().since(idle0, 1.0).get("machineBusyPercent"));
    run.put("loadAverageBeforeStart", loadAverage());
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

  /** A request to {@code url}, with {@code Authorization: Bearer <token>} unless the token is null. */
  static HttpRequest.Builder request(String url, String token) {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT);
    return token == null ? r : r.header("Authorization", "Bearer " + token);
  }

  /** Returns null on success, otherwise a short description of the failure. */
  static String put(String base, String key, byte[] value) throws Exception {
    return put(base, key, value, null);
  }

  /** As above, with an API token (null: none). */
  static String put(String base, String key, byte[] value, String token) throws Exception {
    HttpRequest r = request(base + "/v1/kv/" + key, token)
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(value))
        .build();
    HttpResponse<byte[]> response = HTTP.send(r, HttpResponse.BodyHandlers.ofByteArray());
    return status(response);
  }

  /** GET of a key, whose body must be {@code expected}; with an API token (null: none). */
  static String get(String base, String key, byte[] expected, String token) throws Exception {
    HttpResponse<byte[]> response = HTTP.send(request(base + "/v1/kv/" + key, token).GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
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
   * Runs {@code count} operations on {@code concurrency} workers. Workers first open what
   * they need, then start together; the clock runs from that start until the last worker is
   * done. Stops taking new work at the phase cap or the overall deadline, whichever is first.
   */
  static Phase runPhase(ExecutorService pool, String name, int count, int unitsPerOp, int concurrency,
      WorkerFactory factory)
      throws Exception {
    return runPhase(pool, name, count, unitsPerOp, concurrency, phaseCap, factory);
  }

  /** As above, with this phase's own time cap instead of {@link #phaseCap}. */
  static Phase runPhase(ExecutorService pool, String name, int count, int unitsPerOp, int concurrency,
      Duration phaseCap, WorkerFactory factory)
      throws Exception {
    long cap = Math.min(System.nanoTime() + phaseCap.toNanos(), benchDeadline);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger attempted = new AtomicInteger();
    AtomicBoolean capped = new AtomicBoolean();
    long[] latency = new long[count];
    boolean[] ok = new boolean[count];
    Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
    CountDownLatch ready = new CountDownLatch(concurrency);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> workers = new ArrayList<>();
    List<Op> opened = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int w = 0; w < concurrency; w++) {
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

  // ---------------------------------------------------------------- databases

  /** A database being measured, with what the result files say about it. */
  record Db(TestDatabase server, String describe, boolean isPostgres) {
    Connection connect() throws SQLException {
      return server.connect();
    }
  }

  /** H2's TCP server (databases in {@code dir/h2}, deleted afterwards), registered for cleanup. */
  static Db startH2(Path dir) throws SQLException {
    Path base = dir.resolve("h2");
    H2Server h2 = H2Server.start(base);
    register("H2 server " + h2.url(), () -> {
      h2.close();
      deleteTree(base);
    });
    String version;
    try (Connection c = h2.connect()) {
      version = "H2 " + c.getMetaData().getDatabaseProductVersion();
    }
    return measured(new Db(h2, version + " TCP server (" + h2.url() + ")", false));
  }

  /** A throwaway PostgreSQL of its own (fsync on, as .ci/postgres starts it), registered for cleanup. */
  static Db startPostgres(Path dir) throws SQLException {
    Postgres pg = Postgres.startThrowaway();
    register("PostgreSQL " + pg.env().get("COLONY_DB_URL"), pg::close);
    String version;
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      version = "PostgreSQL " + show(s, "server_version") + ", fsync " + show(s, "fsync")
          + ", synchronous_commit " + show(s, "synchronous_commit");
    }
    return measured(new Db(pg, version + " (" + pg.env().get("COLONY_DB_URL") + ")", true));
  }

  private static String show(Statement s, String setting) throws SQLException {
    try (ResultSet r = s.executeQuery("SHOW " + setting)) {
      r.next();
      return r.getString(1);
    }
  }

  private static Db measured(Db db) {
    if (db.server().processes().isEmpty()) {
      System.out.println("  (no server process found; the database's CPU is not accounted)");
    }
    database = db;
    return db;
  }

  record Cleanup(String what, Runnable action) {}

  static synchronized void register(String what, Runnable action) {
    CLEANUPS.add(new Cleanup(what, action));
  }

  /** Stops everything started so far: nodes first (SIGTERM to all at once), then databases. */
  static void cleanupAll() {
    NODES.clear();
    database = null;
    List<Cleanup> todo;
    synchronized (BenchSupport.class) {
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

  /**
   * When the first line of a node log at or after {@code fromMillis} that {@code matches} was
   * written (epoch ms; null if none). Node logs start with the local time of day, HH:mm:ss.SSS.
   */
  static Long firstLogLineAt(Path log, long fromMillis, java.util.function.Predicate<String> matches) {
    java.time.ZoneId zone = java.time.ZoneId.systemDefault();
    java.time.LocalDate day = Instant.ofEpochMilli(fromMillis).atZone(zone).toLocalDate();
    try (Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.length() > 12 && matches.test(l))
          .map(l -> {
            try {
              long at = java.time.LocalTime.parse(l.substring(0, 12)).atDate(day).atZone(zone).toInstant().toEpochMilli();
              return at < fromMillis - Duration.ofHours(12).toMillis() ? at + Duration.ofDays(1).toMillis() : at;
            } catch (java.time.format.DateTimeParseException notALogLine) {
              return null;
            }
          })
          .filter(at -> at != null && at >= fromMillis)
          .findFirst().orElse(null);
    } catch (IOException | java.io.UncheckedIOException e) {
      return null;
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
}
