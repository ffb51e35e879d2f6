package io.colony.bench;

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
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the load-driving benchmarks share: starting and stopping the databases and node processes
 * (and stopping them on every exit path), running a measured phase of HTTP or JDBC operations
 * with its CPU accounting, and writing JSON. Run from the repository root.
 */
final class BenchSupport {

  private BenchSupport() {}

  /** How long one measured phase may run; each benchmark sets it from its own property. */
  static Duration phaseCap = Duration.ofSeconds(120);

  static final Path JAR = Path.of("http-api/target/colony-node.jar").toAbsolutePath();
  static final String HOST = "127.0.0.1";
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  static final Duration UP_TIMEOUT = Duration.ofSeconds(120);
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
  /** The nodes and the H2 server of the configuration being measured, for CPU accounting. */
  static final List<Process> NODES = new CopyOnWriteArrayList<>();
  static Process h2Server;
  /** The postmaster of the throwaway PostgreSQL being measured; its backends are its descendants. */
  static volatile ProcessHandle postmaster;

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

  /** The head every result file starts with: when, on what, which store. */
  static Map<String, Object> resultDocument(Instant startedAt, String store) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("measuredAt", startedAt.toString());
    doc.put("machine", Runtime.getRuntime().availableProcessors() + " cores");
    doc.put("cores", Runtime.getRuntime().availableProcessors());
    doc.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    doc.put("store", store);
    return doc;
  }

  static void writeJson(Path out, Map<String, Object> doc) throws IOException {
    Files.writeString(out, json(doc, "") + "\n");
    System.out.println("wrote " + out);
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
    Path pgDir = Path.of("/tmp/colony-bench-pg-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
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

  /**
   * Node processes on loopback ports, all against one database, each registered for cleanup as
   * it starts. A node's output is appended to {@code node-<n>.log} in {@code dir}, so a node
   * started again after a kill keeps one log.
   */
  static final class LocalCluster {
    final String label;
    final Db db;
    final Path dir;
    final List<Integer> httpPorts = new ArrayList<>();
    final List<Integer> remotePorts = new ArrayList<>();
    final List<Process> processes = new ArrayList<>();
    private final List<String> jvmOptions;
    private final Map<String, String> environment;
    private final String seeds;
    private static final java.util.regex.Pattern OLDEST = java.util.regex.Pattern.compile("\"oldest\"\\s*:\\s*\"([^\"]*)\"");

    private LocalCluster(String label, Db db, Path dir, int size, List<String> jvmOptions,
        Map<String, String> environment) throws IOException {
      this.label = label;
      this.db = db;
      this.dir = dir;
      this.jvmOptions = jvmOptions;
      this.environment = environment;
      for (int i = 0; i < size; i++) {
        httpPorts.add(freePort());
        remotePorts.add(freePort());
      }
      this.seeds = remotePorts.stream().map(p -> HOST + ":" + p).collect(Collectors.joining(","));
    }

    /**
     * Starts {@code size} nodes ({@code java -Xmx256m <jvmOptions> -jar colony-node.jar}, "{node}"
     * in an option is the node's number) with {@code environment} added to the COLONY_* variables
     * the cluster needs, and waits until all are Up.
     */
    static LocalCluster start(String label, Db db, Path dir, int size, List<String> jvmOptions,
        Map<String, String> environment) throws Exception {
      Files.createDirectories(dir);
      LocalCluster cluster = new LocalCluster(label, db, dir, size, jvmOptions, environment);
      for (int i = 0; i < size; i++) {
        cluster.processes.add(cluster.startNode(i));
      }
      cluster.awaitUp();
      return cluster;
    }

    private Process startNode(int i) throws IOException {
      List<String> command = new ArrayList<>(List.of("java", "-Xmx256m"));
      for (String option : jvmOptions) {
        command.add(option.replace("{node}", String.valueOf(i + 1)));
      }
      command.addAll(List.of("-jar", JAR.toString()));
      ProcessBuilder b = new ProcessBuilder(command);
      Map<String, String> env = b.environment();
      env.put("COLONY_HOST", HOST);
      env.put("COLONY_HTTP_PORT", String.valueOf(httpPorts.get(i)));
      env.put("COLONY_REMOTE_PORT", String.valueOf(remotePorts.get(i)));
      env.put("COLONY_MANAGEMENT_PORT", String.valueOf(freePort()));
      env.put("COLONY_SEED_NODES", seeds);
      env.put("COLONY_DB_URL", db.nodeUrl());
      env.put("COLONY_DB_USER", db.user());
      env.put("COLONY_DB_PASSWORD", db.password());
      env.put("COLONY_DATA_DIR", dir.resolve("data-" + (i + 1)).toString());
      env.putAll(environment);
      b.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()));
      Process p = b.start();
      NODES.add(p);
      register("node " + (i + 1) + " of " + label, () -> stopProcess(p));
      System.out.println("  started node-" + (i + 1) + " of " + label + ": pid " + p.pid() + ", HTTP port " + httpPorts.get(i));
      return p;
    }

    void awaitUp() throws Exception {
      BenchSupport.awaitUp(processes, httpPorts, dir);
    }

    int size() {
      return processes.size();
    }

    String base(int i) {
      return "http://" + HOST + ":" + httpPorts.get(i);
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

    Path log(int i) {
      return dir.resolve("node-" + (i + 1) + ".log");
    }

    /** The node whose remote port is in {@code address} (a member address), or -1. */
    int indexOf(String address) {
      for (int i = 0; address != null && i < size(); i++) {
        if (address.endsWith(":" + remotePorts.get(i)) || address.contains(":" + remotePorts.get(i) + "/")) {
          return i;
        }
      }
      return -1;
    }

    /** The oldest member (which hosts the cluster singletons) as node {@code asked} reports it, or -1. */
    int oldest(int asked) {
      return indexOf(oldestAddress(asked));
    }

    /**
     * The oldest member as most running nodes report it: a node that has just joined may not
     * know the others yet and name itself (a kill of it then measured nothing).
     */
    String agreedOldest() {
      Map<String, Integer> votes = new java.util.HashMap<>();
      for (int i = 0; i < size(); i++) {
        String answer = oldestAddress(i);
        if (answer != null) {
          votes.merge(answer, 1, Integer::sum);
        }
      }
      return votes.entrySet().stream().filter(e -> e.getValue() * 2 > size()).map(Map.Entry::getKey)
          .findFirst().orElse(null);
    }

    /** The oldest member's address as node {@code asked} reports it, or null. */
    String oldestAddress(int asked) {
      try {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base(asked) + "/cluster/members"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        java.util.regex.Matcher m = OLDEST.matcher(r.body());
        return m.find() ? m.group(1) : null;
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    /** kill -9 of node {@code i}. */
    void kill(int i) {
      processes.get(i).destroyForcibly(); // SIGKILL on Linux
      System.out.println("  killed node-" + (i + 1) + " of " + label + " (pid " + processes.get(i).pid() + ")");
    }

    /** Starts node {@code i} again (after a kill) and waits until every node is Up. */
    void restart(int i) throws Exception {
      processes.get(i).waitFor(30, TimeUnit.SECONDS);
      processes.set(i, startNode(i));
      awaitUp();
    }

    /** WARN and ERROR lines of every node's log. */
    List<String> logComplaints() {
      List<String> all = new ArrayList<>();
      for (int i = 0; i < size(); i++) {
        all.addAll(BenchSupport.logComplaints(log(i), "node-" + (i + 1)));
      }
      return all;
    }
  }

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

  // ---------------------------------------------------------------- a node's heap, from outside

  /** A JVM's heap right after a full GC: used and committed bytes of all its generations. */
  record HeapReading(long pid, long usedBytes, long committedBytes) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("pid", pid);
      m.put("usedMB", round(usedBytes / 1048576.0, 1));
      m.put("committedMB", round(committedBytes / 1048576.0, 1));
      return m;
    }
  }

  private static final java.util.regex.Pattern HEAP_LINE =
      java.util.regex.Pattern.compile("total (\\d+)K, used (\\d+)K");

  /**
   * {@code jcmd <pid> GC.run} (a full GC, as System.gc()), then {@code jcmd <pid> GC.heap_info};
   * adds up the "total …K, used …K" lines above Metaspace: one for G1 ("garbage-first heap"),
   * one per generation for the serial and parallel collectors.
   */
  static HeapReading heapAfterFullGc(long pid) throws Exception {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    int metaspace = info.indexOf("Metaspace");
    java.util.regex.Matcher m = HEAP_LINE.matcher(metaspace < 0 ? info : info.substring(0, metaspace));
    long used = 0;
    long committed = 0;
    boolean found = false;
    while (m.find()) {
      committed += Long.parseLong(m.group(1)) * 1024;
      used += Long.parseLong(m.group(2)) * 1024;
      found = true;
    }
    if (!found) {
      throw new IllegalStateException("jcmd " + pid + " GC.heap_info printed no heap line: " + info);
    }
    return new HeapReading(pid, used, committed);
  }

  /** The JDK's jcmd next to the java running this (the nodes run the same java), else the one on the PATH. */
  static final String JCMD = Files.isExecutable(Path.of(System.getProperty("java.home"), "bin", "jcmd"))
      ? Path.of(System.getProperty("java.home"), "bin", "jcmd").toString() : "jcmd";

  /** Runs one jcmd command against a JVM (at most 60 s) and answers its output. */
  static String jcmd(long pid, String command) throws Exception {
    Path out = Files.createTempFile("colony-bench-jcmd", ".txt");
    try {
      Process p = new ProcessBuilder(JCMD, String.valueOf(pid), command).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("jcmd " + pid + " " + command + " did not end within 60 s");
      }
      String text = Files.readString(out);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + pid + " " + command + " exited with " + p.exitValue() + ": " + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  // ---------------------------------------------------------------- small helpers

  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  /**
   * A port nobody listens on, never handed out twice. Taken below the ephemeral range (32768+):
   * an ephemeral one can be taken by some outgoing connection before the node binds it.
   */
  static int freePort() throws IOException {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = 20000 + ThreadLocalRandom.current().nextInt(12000);
      if (HANDED_OUT.contains(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 50, java.net.InetAddress.getByName(HOST))) {
        HANDED_OUT.add(port);
        return port;
      } catch (IOException taken) {
        // someone listens there; try another
      }
    }
    throw new IOException("no free port found from 20000 to 31999");
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
