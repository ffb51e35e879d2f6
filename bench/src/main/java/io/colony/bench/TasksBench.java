package io.colony.bench;

import static io.colony.bench.BenchSupport.*;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.colony.runtime.NodeConfig;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Task system throughput, loss and fail-over, next to the durable KV PUT rate of the same
 * cluster, in one run. From the repository root (builds what is missing):
 *
 *   bench/run.sh tasks
 *
 * For each store (H2 over its TCP server, a throwaway PostgreSQL with fsync on) it starts a fresh
 * database and 3 fresh nodes on free loopback ports (logs under target/bench-tasks/), then runs
 * these phases, each a method of its own (-Dtasks.phases=kill,heap picks some of them):
 *  throughput: no-op tasks ({"type":"sleep","input":{"ms":0}}): 1,000 uncounted warm-up tasks (as
 *     many as the KV phase's warm-up PUTs, so both measured phases run on equally warm JVMs), then
 *     2,000 tasks submitted by 32 concurrent submitters round-robin over the nodes. Throughput is
 *     SUCCEEDED tasks / (last finishedAt − first submit), with finishedAt from the task records;
 *     submit-to-done latency per task is finishedAt − submittedAt of its record. Completion is
 *     found by polling GET /v1/tasks/{id} in submission order (a few ids at a time, so the
 *     polling adds little load). Then durable KV PUT/s on the same cluster and database as KvBench
 *     measures it (64 clients, 256-byte values, round-robin over the nodes): 1,000 warm-up PUTs,
 *     then 5,000 measured; the ratio tasks/s ÷ PUT/s is reported (goal ≥ 0.4);
 *  kill: lost tasks after a kill -9 of the scheduler's node mid-stream: 24 clients stream no-op
 *     tasks to the oldest member (the scheduler singleton's host), which is killed with SIGKILL
 *     once it has accepted 300. No task is read by id until a survivor's /v1/workers shows a new
 *     scheduler epoch with nothing queued, running or undelivered (a read wakes the task's record
 *     and would hide a loss; at most 120 s); then every accepted task is read once. Lost =
 *     accepted tasks not SUCCEEDED, or with finishedAt at or after that first read (goal 0); also
 *     kill → quiet. The killed node is started again;
 *  outage: a no-op task is submitted every 50 ms to the two nodes that will survive; after 3 s
 *     the oldest member is killed with SIGKILL and submitting goes on for 20 s. Outage = first
 *     startedAt among tasks sent after the kill − kill time; also kill → first of those
 *     SUCCEEDED. Three times (the killed node is started again and the next kill takes the new
 *     oldest); the median is reported next to the local profile's bound (heartbeat-interval +
 *     acceptable-heartbeat-pause + stable-after), goal ≤ 1.15, and next to that bound plus
 *     down-removal-margin, the wait Pekko adds after a removal before a singleton may start
 *     elsewhere;
 *  heap (a fresh cluster and database): each node's used heap after a full GC (jcmd GC.run, then
 *     GC.heap_info) at start, after 1,000 warm-up tasks, once 200,000 more no-op tasks
 *     (-Dtasks.heapTasks) have finished, and after the idle passivation timeout + 30 s. 16 clients
 *     submit round-robin, holding back while the scheduler has 5,000 unfinished tasks (its cap is
 *     colony.tasks.max-queued, 100,000); "finished" is the scheduler reporting nothing queued,
 *     running or undelivered. Its submissions have a cap of their own (-Dtasks.heapCapMinutes, 45);
 *  recovery (a fresh cluster and database, nodes with COLONY_WORKER_SLOTS=0 and no prefetch, so no
 *     task is ever dispatched): 100,000 no-op tasks (-Dtasks.recoveryQueued) from 32 clients, then
 *     SIGKILL of the oldest member; recovery = kill → a survivor's /v1/workers shows the new
 *     scheduler epoch with every task queued, next to the bound + down-removal-margin and to the
 *     outage phase's median; the survivors' logs tell when the new singleton started and when its
 *     recovery ended, and the database the size of the scheduler's latest snapshot.
 * throughput, kill and outage share one cluster, in that order. The load average is recorded
 * before every measured phase (the machine may be shared). Every phase is bounded by a count
 * and a time cap, and the whole run by an overall deadline (-Dtasks.totalCapMinutes, 180); a
 * phase that fails is recorded and the next one runs; every process and database it started is
 * stopped in a finally block and by a shutdown hook.
 *
 * Prints a table and writes bench/results/tasks-h2.json and bench/results/tasks-postgres.json
 * (a full run takes 1.5-2 h on 2 cores, most of it the heap and recovery phases).
 * Smaller runs through system properties, e.g.
 *   BENCH_OPTS="-Dtasks.stores=h2 -Dtasks.count=500 -Dtasks.heapTasks=5000 -Dtasks.recoveryQueued=5000" bench/run.sh tasks
 *   BENCH_OPTS="-Dtasks.phases=heap" bench/run.sh tasks
 * (such runs write their JSON under target/bench-tasks/ instead of bench/results/).
 */
public final class TasksBench {

  static final Path WORK = Path.of("target/bench-tasks").toAbsolutePath();
  static final int NODE_COUNT = 3;

  static final int CONCURRENCY = 64;
  static final int SUBMITTERS = Integer.getInteger("tasks.submitters", 32);
  static final int VALUE_BYTES = 256;
  static final int TASKS = Integer.getInteger("tasks.count", 2_000);
  static final int TASK_WARMUP = Integer.getInteger("tasks.warmup", 1_000);
  static final int REQUESTS = Integer.getInteger("tasks.kvPuts", 5_000);
  static final int WARMUP = Integer.getInteger("tasks.kvWarmup", 1_000);
  static final long OUTAGE_PRE_KILL_MS = 3_000;
  static final long OUTAGE_WINDOW_MS = Long.getLong("tasks.outageWindowMs", 20_000);
  static final int OUTAGE_RUNS = Integer.getInteger("tasks.outageRuns", 3);
  static final long OUTAGE_INTERVAL_MS = 50;
  static final int KILL_CLIENTS = Integer.getInteger("tasks.killClients", 24);
  static final int KILL_AFTER_ACCEPTED = Integer.getInteger("tasks.killAfterAccepted", 300);
  /** How long to wait for the scheduler to report nothing queued, running or undelivered. */
  static final Duration QUIET_CAP = Duration.ofSeconds(Long.getLong("tasks.quietCapSeconds", 120));
  static final int HEAP_TASKS = Integer.getInteger("tasks.heapTasks", 200_000);
  static final int HEAP_SUBMITTERS = Integer.getInteger("tasks.heapSubmitters", 16);
  /** Submitters of the heap phase hold back while the scheduler has this many tasks (its cap is 100,000). */
  static final int HEAP_MAX_BACKLOG = Integer.getInteger("tasks.heapMaxBacklog", 5_000);
  static final Duration HEAP_CAP = Duration.ofMinutes(Long.getLong("tasks.heapCapMinutes", 45));
  /** io.colony.tasks.TaskScheduler.PERSISTENCE_ID (the bench does not depend on the tasks module). */
  static final String SCHEDULER_PERSISTENCE_ID = "task-scheduler";
  static final int RECOVERY_QUEUED = Integer.getInteger("tasks.recoveryQueued", 100_000);
  /** The cap on submitting the recovery phase's tasks. */
  static final Duration RECOVERY_CAP = Duration.ofMinutes(Long.getLong("tasks.recoveryCapMinutes", 25));
  /** How long to wait after the kill for the new scheduler to answer with every task. */
  static final Duration RECOVERY_WAIT = Duration.ofSeconds(180);
  /** Nodes whose workers take no task, so every submitted task stays queued. */
  static final List<String> NO_WORKER_JVM_OPTS = List.of("-Dcolony.tasks.prefetch=0",
      "-Dcolony.tasks.dispatcher.thread-pool-executor.fixed-pool-size=1");
  /** How long a backlog of HEAP_MAX_BACKLOG tasks may take to drain after the last submit. */
  static final Duration DRAIN_CAP = Duration.ofSeconds(300);
  static final List<String> STORES = List.of(System.getProperty("tasks.stores", "h2,postgres").split(","));
  /** The phases, in the order they run; tasks.phases picks some of them. */
  static final List<String> ALL_PHASES = List.of("throughput", "kill", "outage", "heap", "recovery");
  static final List<String> PHASES = selectedPhases(System.getProperty("tasks.phases", String.join(",", ALL_PHASES)));
  /** Extra node JVM options, e.g. a flight recording for profiling (space-separated; {node} is the node's number). */
  static final List<String> NODE_JVM_OPTS = Stream.of(System.getProperty("tasks.nodeJvmOpts", "").trim().split("\\s+"))
      .filter(o -> !o.isEmpty()).toList();
  static final boolean FULL_RUN = TASKS == 2_000 && TASK_WARMUP == 1_000 && REQUESTS == 5_000 && WARMUP == 1_000
      && STORES.size() == 2 && SUBMITTERS == 32 && OUTAGE_WINDOW_MS == 20_000 && OUTAGE_RUNS == 3
      && KILL_CLIENTS == 24 && KILL_AFTER_ACCEPTED == 300 && HEAP_TASKS == 200_000 && HEAP_SUBMITTERS == 16
      && HEAP_MAX_BACKLOG == 5_000 && System.getProperty("tasks.heapIdleWaitSeconds") == null && RECOVERY_QUEUED == 100_000
      && PHASES.equals(ALL_PHASES) && NODE_JVM_OPTS.isEmpty();

  static final Duration PHASE_CAP = Duration.ofSeconds(Long.getLong("tasks.phaseCapSeconds", 120));
  static final Duration TOTAL_CAP = Duration.ofMinutes(Long.getLong("tasks.totalCapMinutes", 180));
  static final Duration COMPLETION_CAP = Duration.ofSeconds(120);
  static final String NOOP = "{\"type\":\"sleep\",\"input\":{\"ms\":0},\"timeoutMs\":30000,\"maxAttempts\":3}";

  static final ObjectMapper JSON = new ObjectMapper();

  static byte[][] values;
  static double boundSeconds;
  static double removalMarginSeconds;
  /** How long the heap phase waits after its tasks before its last reading: idle passivation + 30 s, unless set. */
  static Duration heapIdleWait;
  static final double QUIET_LOAD = Double.parseDouble(System.getProperty("tasks.quietLoad", "2.5"));
  static final long QUIET_WAIT_SECONDS = Long.getLong("tasks.quietWaitSeconds", 90);
  static Map<String, Object> boundParts = new LinkedHashMap<>();

  public static void main(String[] args) throws Exception {
    Config local = NodeConfig.load(Map.of("COLONY_PROFILE", "local"));
    for (String p : List.of("pekko.cluster.failure-detector.heartbeat-interval",
        "pekko.cluster.failure-detector.acceptable-heartbeat-pause", "pekko.cluster.split-brain-resolver.stable-after")) {
      double s = local.getDuration(p).toMillis() / 1000.0;
      boundParts.put(p, s);
      boundSeconds += s;
    }
    // The singleton manager of the next-oldest node waits this long after the old oldest is removed
    // before it starts the singleton; "off" means the split brain resolver's stable-after.
    String margin = local.getString("pekko.cluster.down-removal-margin");
    removalMarginSeconds = margin.equals("off")
        ? local.getDuration("pekko.cluster.split-brain-resolver.stable-after").toMillis() / 1000.0
        : local.getDuration("pekko.cluster.down-removal-margin").toMillis() / 1000.0;
    boundParts.put("pekko.cluster.down-removal-margin (in the second bound)", removalMarginSeconds);
    heapIdleWait = Duration.ofSeconds(Long.getLong("tasks.heapIdleWaitSeconds",
        local.getDuration("pekko.cluster.sharding.passivation.default-idle-strategy.idle-entity.timeout").toSeconds() + 30));
    RunStart start = startRun(WORK, TOTAL_CAP, PHASE_CAP, "tasks-bench");
    Instant startedAt = start.startedAt();
    Path runDir = start.dir();

    Random random = new Random(42);
    values = new byte[REQUESTS + WARMUP][];
    for (int i = 0; i < values.length; i++) {
      values[i] = new byte[VALUE_BYTES];
      random.nextBytes(values[i]);
    }

    Map<String, Map<String, Object>> results = new LinkedHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
    try {
      for (String store : STORES) {
        Path dir = runDir.resolve(store + "-" + NODE_COUNT + "n");
        Files.createDirectories(dir);
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("store", store);
        run.put("nodes", NODE_COUNT);
        results.put(store, run);
        if (!measureConfiguration(store + ", " + NODE_COUNT + " nodes; logs in " + dir, run, TOTAL_CAP,
            () -> measure(store, dir, pool, run))) {
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
    printTable(results);
    Path outDir = start.resultsDir(FULL_RUN);
    for (Map.Entry<String, Map<String, Object>> e : results.entrySet()) {
      writeJson(outDir.resolve("tasks-" + e.getKey() + ".json"), new TasksResult(ResultHead.of(startedAt, e.getKey()),
          setup(), new Goals(0.4, 1.15, 0), e.getValue(), round(totalSeconds, 1)));
    }
  }

  /** bench/results/tasks-&lt;store&gt;.json. */
  record TasksResult(@JsonUnwrapped ResultHead head, Map<String, Object> setup, Goals goals, Map<String, Object> run,
      Double wholeBenchmarkSeconds) {}

  /** What the run's figures are held against. */
  record Goals(double tasksOverKvPut, double outageOverBound, int lostTasksAfterKill) {}

  static Map<String, Object> setup() {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("nodes", NODE_COUNT);
    s.put("nodeJvm", "java -Xmx256m " + String.join(" ", NODE_JVM_OPTS) + (NODE_JVM_OPTS.isEmpty() ? "" : " ")
        + "-jar colony-node.jar (defaults: 4 worker slots, 10 journal connections per node)");
    s.put("noopTask", NOOP);
    s.put("warmupTasks", TASK_WARMUP);
    s.put("measuredTasks", TASKS);
    s.put("submitters", SUBMITTERS);
    s.put("taskThroughputDefinition", "SUCCEEDED tasks / (max finishedAt of the records - client time of the first submit)");
    s.put("submitToDoneDefinition", "finishedAt - submittedAt of each SUCCEEDED task record");
    s.put("kvConcurrency", CONCURRENCY);
    s.put("kvValueBytes", VALUE_BYTES);
    s.put("kvWarmupPuts", WARMUP);
    s.put("kvMeasuredPuts", REQUESTS);
    s.put("client", "java.net.http.HttpClient (HTTP/1.1), in the same machine as the nodes and the database");
    s.put("outage", "one no-op task every " + OUTAGE_INTERVAL_MS + " ms to the 2 surviving nodes, SIGKILL of the oldest member "
        + OUTAGE_PRE_KILL_MS + " ms after the first, submitting for " + OUTAGE_WINDOW_MS + " ms after the kill; "
        + OUTAGE_RUNS + " runs (the killed node restarted between them), median reported");
    s.put("outageDefinition", "min startedAt over tasks sent after the kill (202 answers) - kill time");
    s.put("kill", KILL_CLIENTS + " clients stream no-op tasks to the oldest member (the scheduler's host), which is killed "
        + "with SIGKILL once it has accepted " + KILL_AFTER_ACCEPTED + "; no task is read until a survivor's /v1/workers shows "
        + "a new scheduler epoch with queued, running and undelivered 0 (at most " + QUIET_CAP.toSeconds()
        + " s), then every accepted task is read once");
    s.put("lostDefinition", "accepted (202) tasks not SUCCEEDED, or with finishedAt >= the time of the first read");
    s.put("heap", "a fresh cluster and database; each node's used heap after a full GC (jcmd <pid> GC.run, then the used "
        + "figure of GC.heap_info) at start (all Up, no task yet), after " + TASK_WARMUP + " warm-up tasks, once "
        + HEAP_TASKS + " more no-op tasks have finished, and " + heapIdleWait.toSeconds() + " s later (idle passivation "
        + "of task records + 30 s); tasks from " + HEAP_SUBMITTERS + " clients round-robin over the nodes, holding back "
        + "while the scheduler has " + HEAP_MAX_BACKLOG + " or more unfinished tasks; finished = the scheduler reports "
        + "nothing queued, running or undelivered (no task is read)");
    s.put("heapCapMinutes", HEAP_CAP.toMinutes());
    s.put("recovery", "a fresh cluster and database, nodes with COLONY_WORKER_SLOTS=0 " + String.join(" ", NO_WORKER_JVM_OPTS)
        + " (no task is ever dispatched); " + RECOVERY_QUEUED + " no-op tasks from " + SUBMITTERS + " clients round-robin "
        + "over the nodes, then SIGKILL of the oldest member; recovery = kill -> a survivor's /v1/workers shows a new "
        + "scheduler epoch with every task queued (polled every 200 ms); from the survivors' logs: kill -> 'Singleton "
        + "manager starting singleton actor' and -> 'Task scheduler epoch N started with M queued tasks'");
    s.put("recoverySubmitCapMinutes", RECOVERY_CAP.toMinutes());
    s.put("configuredBoundSeconds", boundSeconds);
    s.put("configuredBoundParts", boundParts);
    s.put("phaseCapSeconds", PHASE_CAP.toSeconds());
    s.put("phases", PHASES);
    return s;
  }

  // ---------------------------------------------------------------- one store

  /** What a group of phases does with its cluster. */
  interface ClusterMeasurement {
    void run(BenchCluster cluster) throws Exception;
  }

  static void measure(String store, Path dir, ExecutorService pool, Map<String, Object> run) throws Exception {
    awaitQuietMachine(run);
    if (PHASES.contains("throughput") || PHASES.contains("kill") || PHASES.contains("outage")) {
      // The heap and recovery phases get fresh clusters (and databases) of their own, after this one.
      phase("main", run, () -> onFreshCluster(store, dir.resolve("main"), run, List.of(), Map.of(), cluster -> {
        if (PHASES.contains("throughput")) {
          phase("throughput", run, () -> throughput(cluster, pool, run));
        }
        if (PHASES.contains("kill")) {
          phase("kill", run, () -> run.put("kill", killSchedulerMidStream(cluster, pool, PHASES.contains("outage"))));
        }
        if (PHASES.contains("outage")) {
          phase("outage", run, () -> {
            run.put("loadAverageBeforeOutage", loadAverage());
            run.put("outage", outages(cluster));
          });
        }
      }));
    }
    if (PHASES.contains("heap")) {
      measureApart("heap", store, dir, run, List.of(), Map.of(), (cluster, m) -> heap(cluster, pool, m));
    }
    if (PHASES.contains("recovery")) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("COLONY_WORKER_SLOTS", "0");
      if (RECOVERY_QUEUED > 100_000) { // colony.tasks.max-queued's default
        env.put("COLONY_MAX_QUEUED_TASKS", String.valueOf(RECOVERY_QUEUED));
      }
      measureApart("recovery", store, dir, run, NO_WORKER_JVM_OPTS, env,
          (cluster, m) -> recovery(cluster, pool, m, at(run, "outage", "outageSeconds")));
    }
  }

  /** Runs phase {@code name} on a fresh database and cluster of its own; its results go into run[name]. */
  static void measureApart(String name, String store, Path dir, Map<String, Object> run, List<String> jvmOptions,
      Map<String, String> environment, PhaseBody body) {
    phase(name, run, () -> {
      Map<String, Object> m = new LinkedHashMap<>();
      run.put(name, m);
      onFreshCluster(store, dir.resolve(name), m, jvmOptions, environment, cluster -> body.run(cluster, m));
    });
  }

  /** A phase on a cluster of its own; what it finds goes into {@code m}. */
  interface PhaseBody {
    void run(BenchCluster cluster, Map<String, Object> m) throws Exception;
  }

  /** The machine is shared: waits (bounded) for the 1-minute load average to fall below QUIET_LOAD. */
  static void awaitQuietMachine(Map<String, Object> run) throws Exception {
    long q0 = System.nanoTime();
    double load1 = load1();
    for (int i = 0; i < QUIET_WAIT_SECONDS && load1 > QUIET_LOAD && !aborted; i++) {
      Thread.sleep(1000); // waiting for other programs on the machine, bounded
      load1 = load1();
    }
    run.put("waitedForLoadBelow", QUIET_LOAD);
    run.put("waitedSeconds", round(seconds(q0), 1));
    System.out.printf(Locale.ROOT, "waited %.0f s for the load to fall below %.1f: %s%n", seconds(q0), QUIET_LOAD, loadAverage());
    CpuSnapshot idle0 = CpuSnapshot.take();
    Thread.sleep(1000);
    run.put("machineBusyPercentBeforeStart", CpuSnapshot.take().since(idle0, 1.0).get("machineBusyPercent"));
    run.put("loadAverageBeforeStart", loadAverage());
  }

  /**
   * Starts a fresh database and {@value #NODE_COUNT} fresh nodes (logs in {@code dir}), runs
   * {@code body} on them and stops them all again. The database, the start-up time and the
   * nodes' log warnings go into {@code into}.
   */
  static void onFreshCluster(String store, Path dir, Map<String, Object> into, List<String> jvmOptions,
      Map<String, String> environment, ClusterMeasurement body) throws Exception {
    Files.createDirectories(dir);
    Db db = store.equals("h2") ? startH2(dir) : startPostgres(dir);
    into.put("database", db.describe());
    List<String> options = new ArrayList<>(NODE_JVM_OPTS);
    options.addAll(jvmOptions);
    long u0 = System.nanoTime();
    BenchCluster cluster = BenchCluster.start(store + "/" + dir.getFileName(), db, dir, NODE_COUNT, options, environment);
    into.put("clusterUpSeconds", round(seconds(u0), 1));
    System.out.printf(Locale.ROOT, "all %d nodes Up after %.1f s (HTTP ports %s; logs in %s)%n", NODE_COUNT, seconds(u0),
        cluster.httpPorts(), dir);
    try {
      body.run(cluster);
    } finally {
      List<String> complaints = cluster.logComplaints();
      into.put("nodeLogWarningsAndErrors", complaints.size());
      into.put("nodeLogSample", complaints.stream().limit(12).toList());
      cleanupAll();
    }
  }

  /**
   * Runs one phase unless the overall time is up; a phase that fails is recorded under
   * "phaseFailed" and the next phase still runs.
   */
  @SuppressWarnings("unchecked")
  static void phase(String name, Map<String, Object> run, Measurement body) {
    if (aborted) {
      return;
    }
    if (System.nanoTime() > benchDeadline) {
      ((Map<String, Object>) run.computeIfAbsent("phaseSkipped", k -> new LinkedHashMap<>()))
          .put(name, "overall time cap of " + TOTAL_CAP.toMinutes() + " min reached");
      System.out.println("--- " + name + ": skipped (time cap)");
      return;
    }
    System.out.println("--- " + name);
    long p0 = System.nanoTime();
    try {
      body.run();
    } catch (Exception e) {
      ((Map<String, Object>) run.computeIfAbsent("phaseFailed", k -> new LinkedHashMap<>())).put(name, e.toString());
      System.out.println(name + " FAILED: " + e);
      e.printStackTrace(System.out);
    } finally {
      ((Map<String, Object>) run.computeIfAbsent("phaseSeconds", k -> new LinkedHashMap<>()))
          .put(name, round(seconds(p0), 1));
    }
  }

  // ---------------------------------------------------------------- 1-2. throughput, next to KV PUT

  static void throughput(BenchCluster cluster, ExecutorService pool, Map<String, Object> run) throws Exception {
    List<String> bases = cluster.bases();
    int n = bases.size();
    run.put("loadAverageBeforeTaskWarmup", loadAverage());
    Map<String, Object> warm = taskThroughput(pool, "tasks warm-up", bases, TASK_WARMUP);
    run.put("tasksWarmup", warm);
    run.put("loadAverageBeforeTasks", loadAverage());
    Map<String, Object> tasks = taskThroughput(pool, "tasks", bases, TASKS);
    run.put("tasks", tasks);
    run.put("workersAfterTasks", getJson(bases.get(0) + "/v1/workers"));

    // durable KV PUT on the same cluster and database
    run.put("loadAverageBeforeKvWarmup", loadAverage());
    Phase warmPut = runPhase(pool, "PUT warm-up", WARMUP, 1, CONCURRENCY,
        () -> i -> put(bases.get(i % n), "warm-" + i, values[REQUESTS + i]));
    System.out.println(warmPut.line());
    run.put("loadAverageBeforeKvPut", loadAverage());
    Phase put = runPhase(pool, "PUT", REQUESTS, 1, CONCURRENCY, () -> i -> put(bases.get(i % n), key(i), values[i]));
    System.out.println(put.line());
    run.put("kvPutWarmup", warmPut.toMap());
    run.put("kvPut", put.toMap());
    Object tps = tasks.get("tasksPerSecond");
    run.put("tasksOverKvPut", tps instanceof Double d ? ratio(d, put.perSecond()) : null);
  }

  // ---------------------------------------------------------------- kill -9 of the scheduler's node mid-stream

  /**
   * {@code tasks.killClients} (24) clients stream no-op tasks to the node that hosts the scheduler
   * (the oldest member); once it has accepted {@code tasks.killAfterAccepted} (300) of them it is
   * killed with SIGKILL. Then no task is read by id (a read wakes the task's record, which would hide
   * a loss) until a survivor reports a new scheduler epoch with nothing queued, running or
   * undelivered; then every accepted task is read once. Lost: an accepted task that had not
   * SUCCEEDED before that first read. The killed node is started again if {@code restartAfter}.
   */
  static Map<String, Object> killSchedulerMidStream(BenchCluster cluster, ExecutorService pool, boolean restartAfter)
      throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("loadAverageBefore", loadAverage());
    int victim = cluster.indexOf(cluster.agreedOldest());
    if (victim < 0) {
      throw new IllegalStateException("could not tell which node is the oldest");
    }
    List<String> survivors = cluster.basesExcept(victim);
    JsonNode before = schedulerView(survivors);
    long epochBefore = before == null ? -1 : before.path("epoch").asLong();
    m.put("killedNode", "node-" + (victim + 1));
    m.put("schedulerBeforeKill", plain(before));

    String target = cluster.base(victim);
    List<String> accepted = Collections.synchronizedList(new ArrayList<>());
    Map<String, Integer> otherAnswers = new ConcurrentHashMap<>();
    CountDownLatch enough = new CountDownLatch(KILL_AFTER_ACCEPTED);
    AtomicBoolean stop = new AtomicBoolean();
    List<Future<?>> clients = new ArrayList<>();
    for (int c = 0; c < KILL_CLIENTS; c++) {
      clients.add(pool.submit(() -> {
        while (!stop.get() && !aborted) {
          try {
            HttpResponse<String> r = HTTP.send(postTask(target), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 202) {
              accepted.add(JSON.readTree(r.body()).get("id").asText());
              enough.countDown();
            } else {
              otherAnswers.merge("HTTP " + r.statusCode(), 1, Integer::sum);
            }
          } catch (IOException cutOff) { // the node is being killed: not answered 202, so not accepted
            otherAnswers.merge(cutOff.getClass().getSimpleName(), 1, Integer::sum);
          }
        }
        return null;
      }));
    }
    long s0 = System.currentTimeMillis();
    boolean reached = enough.await(90, TimeUnit.SECONDS);
    int acceptedAtKill = accepted.size();
    long killAt = System.currentTimeMillis();
    cluster.kill(victim);
    try {
      stop.set(true);
      for (Future<?> f : clients) {
        f.get(REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
      }
      List<String> ids = List.copyOf(accepted);
      m.put("clients", KILL_CLIENTS);
      m.put("streamSecondsBeforeKill", round((killAt - s0) / 1000.0, 2));
      m.put("accepted", ids.size());
      m.put("acceptedWhileKilling", ids.size() - acceptedAtKill); // 202s that arrived as the kill went out
      m.put("otherAnswers", new TreeMap<>(otherAnswers));
      if (!reached) {
        m.put("note", "the node accepted only " + ids.size() + " tasks within 90 s; killed then anyway");
      }

      SchedulerSeen quiet = awaitQuiet(survivors, epochBefore, QUIET_CAP);
      m.put("quiet", quiet.quiet());
      m.put("killToQuietSeconds", quiet.quiet() ? round((quiet.atMillis() - killAt) / 1000.0, 3) : null);
      m.put("schedulerWhenQuiet", plain(quiet.view()));

      int lost = readEachOnceAndCountLost(survivors, ids, m);
      System.out.printf(Locale.ROOT, "  kill: %d accepted by node-%d before its kill -9; scheduler quiet after %s s; "
              + "lost %d; statuses %s; other answers %s%n",
          ids.size(), victim + 1, m.get("killToQuietSeconds"), lost, m.get("finalStatus"), otherAnswers);
    } finally {
      if (restartAfter) {
        cluster.restart(victim);
      }
    }
    return m;
  }

  /**
   * Reads every task once; lost = not SUCCEEDED, or finished at or after the first read (so the
   * read, not the system, made it finish). Puts the statuses, the count and a sample into {@code m}.
   */
  static int readEachOnceAndCountLost(List<String> bases, List<String> ids, Map<String, Object> m) throws Exception {
    long firstRead = System.currentTimeMillis();
    Map<String, JsonNode> read = readEachOnce(bases, ids);
    Map<String, Integer> byStatus = new TreeMap<>();
    List<String> lost = new ArrayList<>();
    for (String id : ids) {
      JsonNode t = read.get(id);
      String status = t == null ? "UNREAD" : t.path("status").asText("NOT_FOUND");
      byStatus.merge(status, 1, Integer::sum);
      if (t == null || !status.equals("SUCCEEDED") || !t.path("finishedAt").isNumber()
          || t.path("finishedAt").asLong() >= firstRead) {
        lost.add(t == null ? id + " (no answer)" : t.toString());
      }
    }
    m.put("finalStatus", byStatus);
    m.put("lost", lost.size());
    m.put("lostSample", lost.stream().limit(5).toList());
    return lost.size();
  }

  /** The scheduler's counts as a survivor reported them at {@code atMillis}; {@code quiet} if it was. */
  record SchedulerSeen(long atMillis, JsonNode view, boolean quiet) {}

  /**
   * Polls /v1/workers of {@code bases} (reads no task) until the scheduler, in an epoch after
   * {@code epochAbove}, reports nothing queued, running or undelivered, or {@code cap} has passed.
   */
  static SchedulerSeen awaitQuiet(List<String> bases, long epochAbove, Duration cap) throws InterruptedException {
    long deadline = Math.min(System.nanoTime() + cap.toNanos(), benchDeadline);
    JsonNode last = null;
    while (!aborted) {
      JsonNode view = schedulerView(bases);
      long at = System.currentTimeMillis();
      if (view != null) {
        last = view;
        if (view.path("epoch").asLong() > epochAbove && view.path("queued").asInt(-1) == 0
            && view.path("running").asInt(-1) == 0 && view.path("undelivered").asInt(-1) == 0) {
          return new SchedulerSeen(at, view, true);
        }
      }
      if (System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(250); // polling interval while the scheduler is busy or moving
    }
    System.out.println("  the scheduler was not quiet within " + cap.toSeconds() + " s; last seen: " + last);
    return new SchedulerSeen(System.currentTimeMillis(), last, false);
  }

  /** The scheduler's counts from the first of {@code bases} whose /v1/workers has them; null while it does not answer. */
  static JsonNode schedulerView(List<String> bases) {
    for (String base : bases) {
      JsonNode workers = getJson(base + "/v1/workers");
      JsonNode scheduler = workers == null ? null : workers.get("scheduler");
      if (scheduler != null && !scheduler.isNull()) {
        return scheduler;
      }
    }
    return null;
  }

  /**
   * GET /v1/tasks/{id} of every id, 16 at a time round-robin over {@code bases}; an id whose read
   * gets no answer (timeout, 5xx) is read again, at most 3 times. A 404 is kept as its body.
   */
  static Map<String, JsonNode> readEachOnce(List<String> bases, List<String> ids) throws Exception {
    Map<String, JsonNode> read = new ConcurrentHashMap<>();
    for (int from = 0; from < ids.size() && !aborted; from += 16) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 16));
      for (int attempt = 0; attempt < 3; attempt++) {
        List<CompletableFuture<Void>> fs = new ArrayList<>();
        for (int k = 0; k < chunk.size(); k++) {
          String id = chunk.get(k);
          if (read.containsKey(id)) {
            continue;
          }
          String base = bases.get((from + k + attempt) % bases.size());
          fs.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/tasks/" + id)).timeout(Duration.ofSeconds(10)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .thenAccept(r -> {
                if (r.statusCode() == 200 || r.statusCode() == 404) {
                  try {
                    read.put(id, JSON.readTree(r.body()));
                  } catch (IOException ignored) {
                    // read again
                  }
                }
              })
              .exceptionally(e -> null));
        }
        CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
      }
    }
    return read;
  }

  // ---------------------------------------------------------------- node heap after many finished tasks

  /**
   * Each node's used heap after a full GC: at start (Up, no task yet), after a warm-up of
   * {@code tasks.warmup} no-op tasks, once {@code tasks.heapTasks} more have finished, and after
   * the idle passivation timeout (+ 30 s) has passed since. Tasks are submitted by
   * {@code tasks.heapSubmitters} clients round-robin over the nodes, holding back while the
   * scheduler has {@code tasks.heapMaxBacklog} unfinished tasks; "finished" is the scheduler
   * reporting nothing queued, running or undelivered (no task is read).
   */
  static void heap(BenchCluster cluster, ExecutorService pool, Map<String, Object> m) throws Exception {
    m.put("heapAtStart", heaps(cluster, "at start"));
    m.put("warmup", submitAndAwaitQuiet(cluster, pool, "heap warm-up", TASK_WARMUP));
    m.put("heapAfterWarmup", heaps(cluster, "after " + TASK_WARMUP + " warm-up tasks"));
    m.put("loadAverageBeforeTasks", loadAverage());
    m.put("tasks", submitAndAwaitQuiet(cluster, pool, "heap tasks", HEAP_TASKS));
    m.put("heapAfterTasks", heaps(cluster, "after " + (TASK_WARMUP + HEAP_TASKS) + " tasks"));
    if (!heapIdleWait.isZero() && !aborted && System.nanoTime() + heapIdleWait.toNanos() < benchDeadline) {
      System.out.println("  waiting " + heapIdleWait.toSeconds() + " s (idle passivation of the task records) before the last reading");
      Thread.sleep(heapIdleWait.toMillis()); // the reading is about what stays once idle records are passivated
      m.put("heapAfterIdle", heaps(cluster, heapIdleWait.toSeconds() + " s later"));
    }
  }

  /** Every node's heap after a full GC, with the largest and the sum. */
  static Map<String, Object> heaps(BenchCluster cluster, String when) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("atEpochMs", System.currentTimeMillis());
    long max = 0;
    long sum = 0;
    List<Object> nodes = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      HeapReading h = HeapReading.afterFullGc(cluster.pid(i));
      Map<String, Object> node = h.toMap();
      node.put("node", "node-" + (i + 1));
      nodes.add(node);
      max = Math.max(max, h.usedBytes());
      sum += h.usedBytes();
    }
    m.put("maxUsedMB", round(max / 1048576.0, 1));
    m.put("sumUsedMB", round(sum / 1048576.0, 1));
    m.put("nodes", nodes);
    System.out.printf(Locale.ROOT, "  heap %s (used after a full GC): %s%n", when,
        nodes.stream().map(n -> ((Map<?, ?>) n).get("usedMB") + " MB").collect(Collectors.joining(", ")));
    return m;
  }

  /**
   * Submits {@code count} no-op tasks with {@code tasks.heapSubmitters}
   * clients round-robin over the nodes, holding back while the scheduler's queue is long, then
   * waits until the scheduler is quiet. Reads no task.
   */
  static Map<String, Object> submitAndAwaitQuiet(BenchCluster cluster, ExecutorService pool, String name, int count)
      throws Exception {
    List<String> bases = cluster.bases();
    int n = bases.size();
    long succeededBefore = workersSucceeded(bases);
    long t0 = System.currentTimeMillis();
    Phase submit;
    int maxBacklog;
    try (Backlog backlog = new Backlog(bases)) {
      submit = runPhase(pool, name + " submit", count, 1, HEAP_SUBMITTERS, HEAP_CAP, () -> i -> {
        if (!backlog.awaitBelow(HEAP_MAX_BACKLOG, Duration.ofSeconds(60))) {
          return "the scheduler's queue stayed at " + HEAP_MAX_BACKLOG + " or more for 60 s";
        }
        return submitNoop(bases.get(i % n));
      });
      maxBacklog = backlog.max();
    }
    System.out.println(submit.line());
    SchedulerSeen quiet = awaitQuiet(bases, -1, DRAIN_CAP);
    double seconds = (quiet.atMillis() - t0) / 1000.0;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("submit", submit.toMap());
    m.put("accepted", submit.ok());
    m.put("largestQueueSeen", maxBacklog);
    m.put("quiet", quiet.quiet());
    m.put("firstSubmitToQuietSeconds", round(seconds, 1));
    m.put("tasksPerSecond", quiet.quiet() ? round(submit.ok() / seconds, 1) : null);
    m.put("succeededByWorkers", workersSucceeded(bases) - succeededBefore);
    m.put("schedulerWhenQuiet", plain(quiet.view()));
    System.out.printf(Locale.ROOT, "  %s: %d accepted, scheduler %s after %.1f s (%s tasks/s); workers report %s succeeded%n",
        name, submit.ok(), quiet.quiet() ? "quiet" : "NOT quiet", seconds, m.get("tasksPerSecond"), m.get("succeededByWorkers"));
    return m;
  }

  /** POST /v1/tasks of the no-op task; null on 202, otherwise what came back. */
  static String submitNoop(String base) throws Exception {
    HttpResponse<String> r = HTTP.send(postTask(base), HttpResponse.BodyHandlers.ofString());
    return r.statusCode() == 202 ? null : "HTTP " + r.statusCode() + " " + r.body().substring(0, Math.min(120, r.body().length()));
  }

  /** The attempts every worker pool has run successfully so far, as one node lists them; -1 if none answers. */
  static long workersSucceeded(List<String> bases) {
    for (String base : bases) {
      JsonNode workers = getJson(base + "/v1/workers");
      if (workers != null && workers.path("workers").isArray()) {
        long sum = 0;
        for (JsonNode w : workers.path("workers")) {
          sum += w.path("succeeded").asLong();
        }
        return sum;
      }
    }
    return -1;
  }

  /** The scheduler's queue length, polled every 500 ms, so submitters can hold back while it is long. */
  static final class Backlog implements AutoCloseable {
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();
    private volatile int queued;
    private final AtomicInteger max = new AtomicInteger();

    Backlog(List<String> bases) {
      poller.scheduleWithFixedDelay(() -> {
        JsonNode view = schedulerView(bases);
        if (view != null) {
          queued = view.path("queued").asInt();
          max.accumulateAndGet(queued, Math::max);
        }
      }, 0, 500, TimeUnit.MILLISECONDS);
    }

    /** Waits while the queue has {@code limit} or more tasks; false if it still has after {@code timeout}. */
    boolean awaitBelow(int limit, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (queued >= limit && !aborted) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(50); // submitting waits while the scheduler's queue is long
      }
      return true;
    }

    int max() {
      return max.get();
    }

    @Override
    public void close() {
      poller.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- scheduler recovery with a long queue

  /**
   * On nodes whose workers take no task (0 slots, no prefetch), submits {@code tasks.recoveryQueued}
   * no-op tasks, which all stay queued, then kills the scheduler's node with SIGKILL and measures
   * kill -> a survivor's /v1/workers showing the new scheduler epoch with every task queued. The
   * survivors' logs give when the new singleton started and when its recovery ended ("Task
   * scheduler epoch N started with M queued tasks"), so the recovery proper is told apart from
   * failure detection. Compared with the configured bound and, if the outage phase ran, with the
   * outage without a queue.
   */
  static void recovery(BenchCluster cluster, ExecutorService pool, Map<String, Object> m, Object noLoadOutage)
      throws Exception {
    List<String> bases = cluster.bases();
    int n = bases.size();
    m.put("loadAverageBeforeSubmit", loadAverage());
    Phase submit = runPhase(pool, "recovery submit", RECOVERY_QUEUED, 1, SUBMITTERS, RECOVERY_CAP,
        () -> i -> submitNoop(bases.get(i % n)));
    System.out.println(submit.line());
    m.put("submit", submit.toMap());
    JsonNode before = schedulerView(bases);
    if (before == null) {
      throw new IllegalStateException("the scheduler does not answer before the kill");
    }
    int queued = before.path("queued").asInt();
    long epochBefore = before.path("epoch").asLong();
    m.put("accepted", submit.ok());
    m.put("queuedBeforeKill", queued);
    m.put("schedulerBeforeKill", plain(before));
    m.put("snapshot", schedulerSnapshot(cluster.db, queued));

    int victim = cluster.indexOf(cluster.agreedOldest());
    if (victim < 0) {
      throw new IllegalStateException("could not tell which node is the oldest");
    }
    List<String> survivors = cluster.basesExcept(victim);
    m.put("killedNode", "node-" + (victim + 1));
    m.put("loadAverageBeforeKill", loadAverage());
    long killAt = System.currentTimeMillis();
    cluster.kill(victim);
    NewScheduler seen = awaitNewScheduler(survivors, epochBefore, queued, RECOVERY_WAIT);
    m.put("killToFirstAnswerSeconds", secondsSince(killAt, seen.firstAnswerAt()));
    m.put("firstAnswer", plain(seen.firstAnswer()));
    Double recovery = secondsSince(killAt, seen.allQueuedAt());
    m.put("killToAnswerWithAllQueuedSeconds", recovery);

    // The survivors' logs: when the new singleton started, and when its recovery ended.
    long newEpoch = seen.firstAnswer() == null ? epochBefore + 1 : seen.firstAnswer().path("epoch").asLong();
    Long singletonStart = null;
    Long epochStarted = null;
    for (int i = 0; i < cluster.size(); i++) {
      if (i != victim) {
        singletonStart = earliest(singletonStart, firstLogLineAt(cluster.log(i), killAt,
            l -> l.contains("Singleton manager starting singleton actor") && l.contains("task-scheduler")));
        epochStarted = earliest(epochStarted, firstLogLineAt(cluster.log(i), killAt,
            l -> l.contains("Task scheduler epoch " + newEpoch + " started with")));
      }
    }
    m.put("killToSingletonStartSeconds", secondsSince(killAt, singletonStart));
    m.put("killToEpochStartedLogSeconds", secondsSince(killAt, epochStarted));
    m.put("schedulerRecoverySecondsFromLog", singletonStart == null || epochStarted == null ? null
        : round((epochStarted - singletonStart) / 1000.0, 3));

    double bound = boundSeconds + removalMarginSeconds;
    m.put("boundWithDownRemovalMarginSeconds", bound);
    m.put("recoveryMinusBoundSeconds", recovery == null ? null : round(recovery - bound, 3));
    m.put("noLoadOutageSeconds", noLoadOutage instanceof Double d ? d : null);
    m.put("recoveryMinusNoLoadOutageSeconds", recovery == null || !(noLoadOutage instanceof Double d) ? null
        : round(recovery - d, 3));
    System.out.printf(Locale.ROOT, "  recovery: %d queued; kill -> new scheduler answering with all %s s (first answer %s s), "
            + "bound + margin %.1f s; in the log: singleton started %s s, epoch %d started %s s after the kill; snapshot %s%n",
        queued, recovery, m.get("killToFirstAnswerSeconds"), bound, m.get("killToSingletonStartSeconds"), newEpoch,
        m.get("killToEpochStartedLogSeconds"), m.get("snapshot"));
  }

  /** When the new scheduler first answered, and first answered with every task queued (epoch ms; null if never). */
  record NewScheduler(Long firstAnswerAt, JsonNode firstAnswer, Long allQueuedAt, JsonNode allQueued) {}

  /**
   * Polls /v1/workers of the survivors every 200 ms without waiting for earlier polls (one that
   * finds no scheduler takes the ask timeout), until one shows a scheduler epoch after
   * {@code epochAbove} with {@code queued} tasks or more, or {@code cap} has passed. A poll counts
   * when its answer arrives.
   */
  static NewScheduler awaitNewScheduler(List<String> survivors, long epochAbove, int queued, Duration cap)
      throws Exception {
    long deadline = Math.min(System.nanoTime() + cap.toNanos(), benchDeadline);
    Object lock = new Object();
    NewScheduler[] seen = {new NewScheduler(null, null, null, null)};
    List<CompletableFuture<Void>> inFlight = new ArrayList<>();
    for (int k = 0; !aborted && System.nanoTime() < deadline; k++) {
      synchronized (lock) {
        if (seen[0].allQueuedAt() != null) {
          break;
        }
      }
      HttpRequest poll = HttpRequest.newBuilder(URI.create(survivors.get(k % survivors.size()) + "/v1/workers"))
          .timeout(Duration.ofSeconds(10)).build();
      inFlight.add(HTTP.sendAsync(poll, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
        long at = System.currentTimeMillis();
        JsonNode scheduler;
        try {
          scheduler = JSON.readTree(r.body()).get("scheduler");
        } catch (IOException e) {
          return;
        }
        if (scheduler == null || scheduler.isNull() || scheduler.path("epoch").asLong() <= epochAbove) {
          return;
        }
        synchronized (lock) {
          NewScheduler s = seen[0];
          boolean first = s.firstAnswerAt() == null || at < s.firstAnswerAt();
          boolean all = scheduler.path("queued").asInt() >= queued && (s.allQueuedAt() == null || at < s.allQueuedAt());
          seen[0] = new NewScheduler(first ? at : s.firstAnswerAt(), first ? scheduler : s.firstAnswer(),
              all ? at : s.allQueuedAt(), all ? scheduler : s.allQueued());
        }
      }).exceptionally(e -> null));
      inFlight.removeIf(CompletableFuture::isDone);
      Thread.sleep(200); // the polling interval
    }
    inFlight.forEach(f -> f.cancel(true));
    synchronized (lock) {
      if (seen[0].allQueuedAt() == null) {
        System.out.println("  no survivor showed a new scheduler with " + queued + " queued tasks within " + cap.toSeconds()
            + " s; first answer: " + seen[0].firstAnswer());
      }
      return seen[0];
    }
  }

  /**
   * The scheduler's latest snapshot in the journal database: its sequence number and size, and
   * how many of its events come after it (what recovery replays on top).
   */
  static Map<String, Object> schedulerSnapshot(Db db, int queued) {
    Map<String, Object> m = new LinkedHashMap<>();
    try (Connection c = db.connect()) {
      long seq;
      try (PreparedStatement s = c.prepareStatement("SELECT \"sequence_number\", OCTET_LENGTH(\"snapshot_payload\") "
          + "FROM \"snapshot\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\" DESC LIMIT 1")) {
        s.setString(1, SCHEDULER_PERSISTENCE_ID);
        try (ResultSet r = s.executeQuery()) {
          if (!r.next()) {
            m.put("note", "no snapshot yet");
            seq = 0;
          } else {
            seq = r.getLong(1);
            long bytes = r.getLong(2);
            m.put("sequenceNumber", seq);
            m.put("bytes", bytes);
            m.put("bytesPerQueuedTask", queued == 0 ? null : round((double) bytes / queued, 1));
          }
        }
      }
      try (PreparedStatement s = c.prepareStatement("SELECT COUNT(*), MAX(\"sequence_number\") FROM \"event_journal\" "
          + "WHERE \"persistence_id\" = ? AND \"sequence_number\" > ?")) {
        s.setString(1, SCHEDULER_PERSISTENCE_ID);
        s.setLong(2, seq);
        try (ResultSet r = s.executeQuery()) {
          r.next();
          m.put("eventsAfterSnapshot", r.getLong(1));
          m.put("lastSequenceNumber", r.getObject(2) == null ? seq : r.getLong(2));
        }
      }
    } catch (Exception e) {
      m.put("failed", e.toString());
    }
    return m;
  }

  static Double secondsSince(long fromMillis, Long atMillis) {
    return atMillis == null ? null : round((atMillis - fromMillis) / 1000.0, 3);
  }

  static Long earliest(Long a, Long b) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    return Math.min(a, b);
  }

  // ---------------------------------------------------------------- 3. scheduler outage

  /**
   * Kill -9 of the singleton's host, several times: the split brain resolver decides on a 1 s
   * tick, so one kill alone varies by up to a second. The killed node is started again between
   * runs, so the next kill takes the new oldest.
   */
  static Map<String, Object> outages(BenchCluster cluster) throws Exception {
    List<Map<String, Object>> outages = new ArrayList<>();
    for (int r = 1; r <= OUTAGE_RUNS && !aborted; r++) {
      Map<String, Object> o = outage(cluster);
      outages.add(o);
      if (!(o.get("victim") instanceof Integer victim) || r == OUTAGE_RUNS) {
        break;
      }
      cluster.restart(victim);
    }
    return outageSummary(outages);
  }

  // ---------------------------------------------------------------- task throughput

  static Map<String, Object> taskThroughput(ExecutorService pool, String name, List<String> bases, int count)
      throws Exception {
    int n = bases.size();
    String[] ids = new String[count];
    long[] sentAt = new long[count];
    CpuSnapshot cpu0 = CpuSnapshot.take();
    long p0 = System.nanoTime();
    Phase submit = runPhase(pool, name + " submit", count, 1, SUBMITTERS, () -> i -> {
      sentAt[i] = System.currentTimeMillis();
      HttpResponse<String> r = HTTP.send(postTask(bases.get(i % n)), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 202) {
        return "HTTP " + r.statusCode() + " " + r.body().substring(0, Math.min(120, r.body().length()));
      }
      ids[i] = JSON.readTree(r.body()).get("id").asText();
      return null;
    });
    System.out.println(submit.line());
    long c0 = System.nanoTime();
    List<String> accepted = Arrays.stream(ids).filter(id -> id != null).toList();
    Map<String, JsonNode> finals = awaitTerminal(bases, accepted, COMPLETION_CAP);
    double waitSeconds = seconds(c0);
    Map<String, Object> cpuWhole = CpuSnapshot.take().since(cpu0, seconds(p0));

    long firstSent = Arrays.stream(sentAt).filter(t -> t > 0).min().orElse(0);
    Map<String, Integer> byStatus = new TreeMap<>();
    Map<String, Integer> byNode = new TreeMap<>();
    List<Long> done = new ArrayList<>();
    List<Long> queued = new ArrayList<>();
    long lastFinished = 0;
    int retried = 0;
    for (String id : accepted) {
      JsonNode t = finals.get(id);
      String status = t == null ? "UNKNOWN" : t.path("status").asText();
      byStatus.merge(status, 1, Integer::sum);
      if (t == null) {
        continue;
      }
      if (t.path("attempts").asInt() > 1) {
        retried++;
      }
      if (status.equals("SUCCEEDED")) {
        long sub = t.path("submittedAt").asLong();
        long fin = t.path("finishedAt").asLong();
        done.add(fin - sub);
        if (!t.path("startedAt").isNull()) {
          queued.add(t.path("startedAt").asLong() - sub);
        }
        lastFinished = Math.max(lastFinished, fin);
        byNode.merge(t.path("node").asText(), 1, Integer::sum);
      }
    }
    int succeeded = byStatus.getOrDefault("SUCCEEDED", 0);
    double span = (lastFinished - firstSent) / 1000.0;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("planned", count);
    m.put("accepted", accepted.size());
    m.put("submit", submit.toMap());
    m.put("finalStatus", byStatus);
    m.put("tasksWithMoreThanOneAttempt", retried);
    m.put("succeededPerNode", byNode);
    m.put("firstSubmitToLastSucceededSeconds", round(span, 3));
    m.put("tasksPerSecond", succeeded == 0 || span <= 0 ? null : round(succeeded / span, 1));
    m.put("submitToDoneMs", percentiles(done));
    m.put("submitToStartMs", percentiles(queued));
    m.put("secondsWaitedAfterLastSubmitUntilAllTerminal", round(waitSeconds, 2));
    m.put("cpuFromFirstSubmitUntilAllTerminal", cpuWhole);
    System.out.printf(Locale.ROOT, "  %-22s %6d SUCCEEDED of %d  %7.2f s  %9s tasks/s  submit->done %s  statuses %s%n",
        name, succeeded, count, span, m.get("tasksPerSecond"), m.get("submitToDoneMs"), byStatus);
    return m;
  }

  static Map<String, Object> percentiles(List<Long> ms) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (ms.isEmpty()) {
      return m;
    }
    long[] s = ms.stream().mapToLong(Long::longValue).sorted().toArray();
    m.put("count", s.length);
    m.put("p50", pct(s, 50));
    m.put("p90", pct(s, 90));
    m.put("p99", pct(s, 99));
    m.put("max", s[s.length - 1]);
    return m;
  }

  static long pct(long[] sorted, double p) {
    int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  static HttpRequest postTask(String base) {
    return HttpRequest.newBuilder(URI.create(base + "/v1/tasks"))
        .timeout(REQUEST_TIMEOUT)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(NOOP))
        .build();
  }

  static final java.util.Set<String> TERMINAL = java.util.Set.of("SUCCEEDED", "FAILED", "CANCELLED");

  /**
   * Polls GET /v1/tasks/{id} in submission order, 16 ids at a time, until every task is terminal
   * or {@code cap} has passed; tasks end roughly in submission order, so a chunk that is not all
   * terminal means "wait" (200 ms) rather than "poll everything". Returns the last record seen
   * of each task (terminal or not).
   */
  static Map<String, JsonNode> awaitTerminal(List<String> bases, List<String> ids, Duration cap) throws Exception {
    long deadline = Math.min(System.nanoTime() + cap.toNanos(), benchDeadline);
    Map<String, JsonNode> last = new ConcurrentHashMap<>();
    List<String> pending = new ArrayList<>(ids);
    int round = 0;
    for (int guard = 0; guard < 100_000 && !pending.isEmpty() && !aborted; guard++) {
      List<String> chunk = pending.subList(0, Math.min(16, pending.size()));
      List<CompletableFuture<Void>> fs = new ArrayList<>();
      for (int k = 0; k < chunk.size(); k++) {
        String id = chunk.get(k);
        String base = bases.get((round + k) % bases.size());
        fs.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/tasks/" + id)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString())
            .thenAccept(r -> {
              if (r.statusCode() == 200) {
                try {
                  last.put(id, JSON.readTree(r.body()));
                } catch (IOException ignored) {
                  // counted as not terminal yet
                }
              }
            })
            .exceptionally(e -> null));
      }
      CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
      round++;
      int before = pending.size();
      List<String> still = new ArrayList<>();
      for (String id : chunk) {
        JsonNode t = last.get(id);
        if (t == null || !TERMINAL.contains(t.path("status").asText())) {
          still.add(id);
        }
      }
      List<String> rest = new ArrayList<>(still);
      rest.addAll(pending.subList(chunk.size(), before));
      pending = rest;
      if (System.nanoTime() > deadline) {
        break;
      }
      if (!still.isEmpty()) {
        Thread.sleep(200); // polling interval while tasks are still running
      }
    }
    if (!pending.isEmpty()) {
      System.out.println("  " + pending.size() + " task(s) not terminal within " + cap.toSeconds() + " s, e.g. "
          + last.get(pending.get(0)));
    }
    return last;
  }

  record Sent(int seq, String base, long sentAt, CompletableFuture<HttpResponse<String>> reply) {}

  /** One run of the outage phase. */
  static Map<String, Object> outage(BenchCluster cluster) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    String oldest = cluster.agreedOldest();
    int victim = cluster.indexOf(oldest);
    m.put("oldestBeforeKill", oldest);
    if (victim < 0) {
      m.put("failed", "could not tell which node is the oldest: " + oldest);
      System.out.println("  outage: could not tell which node is the oldest: " + oldest);
      return m;
    }
    m.put("killedNode", "node-" + (victim + 1));
    m.put("victim", victim);
    List<String> survivors = cluster.basesExcept(victim);
    String victimAddress = HOST + ":" + cluster.remotePort(victim);

    List<Sent> sent = new ArrayList<>();
    long start = System.currentTimeMillis();
    long killAt = 0;
    Long removedAt = null;
    String newOldest = null;
    long end = start + OUTAGE_PRE_KILL_MS + OUTAGE_WINDOW_MS;
    long nextMembersPoll = 0;
    CompletableFuture<HttpResponse<String>> membersReply = null;
    int maxSends = (int) ((OUTAGE_PRE_KILL_MS + OUTAGE_WINDOW_MS) / OUTAGE_INTERVAL_MS) + 10;
    for (int seq = 0; seq < maxSends && !aborted; seq++) {
      long now = System.currentTimeMillis();
      if (now >= end) {
        break;
      }
      if (killAt == 0 && now - start >= OUTAGE_PRE_KILL_MS) {
        killAt = System.currentTimeMillis();
        cluster.kill(victim);
      }
      String base = survivors.get(seq % survivors.size());
      sent.add(new Sent(seq, base, System.currentTimeMillis(),
          HTTP.sendAsync(postTask(base), HttpResponse.BodyHandlers.ofString())));
      // membership of a survivor, every 200 ms after the kill, without blocking the submit cadence
      if (killAt > 0 && removedAt == null) {
        if (membersReply != null && membersReply.isDone()) {
          try {
            String body = membersReply.getNow(null).body();
            if (!body.contains(victimAddress)) {
              removedAt = System.currentTimeMillis();
              newOldest = JSON.readTree(body).path("oldest").asText(null);
            }
          } catch (Exception ignored) {
            // try again at the next poll
          }
          membersReply = null;
        }
        if (membersReply == null && now >= nextMembersPoll) {
          nextMembersPoll = now + 200;
          membersReply = HTTP.sendAsync(HttpRequest.newBuilder(URI.create(survivors.get(0) + "/cluster/members"))
              .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        }
      }
      long sleep = start + (seq + 1) * OUTAGE_INTERVAL_MS - System.currentTimeMillis();
      if (sleep > 0) {
        Thread.sleep(sleep); // the submit cadence
      }
    }
    m.put("killAtEpochMs", killAt);
    m.put("killToRemovedFromMembershipSeconds", removedAt == null ? null : round((removedAt - killAt) / 1000.0, 3));
    m.put("oldestAfterKill", newOldest);

    // Replies (bounded by the request timeout).
    List<String> ids = new ArrayList<>();
    Map<String, Sent> sentOf = new LinkedHashMap<>();
    Map<String, Integer> preKillReplies = new TreeMap<>();
    Map<String, Integer> postKillReplies = new TreeMap<>();
    long lastAcceptedBeforeKill = 0;
    List<Long> postKillSubmitMs = new ArrayList<>();
    long maxSubmitLatency = 0;
    for (Sent s : sent) {
      String outcome;
      try {
        HttpResponse<String> r = s.reply().get(REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
        outcome = "HTTP " + r.statusCode();
        if (r.statusCode() == 202) {
          String id = JSON.readTree(r.body()).get("id").asText();
          ids.add(id);
          sentOf.put(id, s);
          if (s.sentAt() < killAt) {
            lastAcceptedBeforeKill = Math.max(lastAcceptedBeforeKill, s.sentAt());
          }
        }
      } catch (Exception e) {
        Throwable c = e.getCause() == null ? e : e.getCause();
        outcome = c.getClass().getSimpleName();
      }
      (s.sentAt() < killAt ? preKillReplies : postKillReplies).merge(outcome, 1, Integer::sum);
    }
    m.put("sentBeforeKill", preKillReplies.values().stream().mapToInt(Integer::intValue).sum());
    m.put("repliesBeforeKill", preKillReplies);
    m.put("sentAfterKill", postKillReplies.values().stream().mapToInt(Integer::intValue).sum());
    m.put("repliesAfterKill", postKillReplies);
    m.put("lastAcceptedSendBeforeKillMsBeforeKill", lastAcceptedBeforeKill == 0 ? null : killAt - lastAcceptedBeforeKill);

    Map<String, JsonNode> finals = awaitTerminal(survivors, ids, Duration.ofSeconds(90));
    Map<String, Integer> preStatus = new TreeMap<>();
    Map<String, Integer> postStatus = new TreeMap<>();
    Long firstStart = null;
    Long firstSucceeded = null;
    String firstStartedTask = null;
    long lastStartBeforeKill = 0;
    for (String id : ids) {
      Sent s = sentOf.get(id);
      JsonNode t = finals.get(id);
      String status = t == null ? "UNKNOWN" : t.path("status").asText();
      boolean post = s.sentAt() >= killAt;
      (post ? postStatus : preStatus).merge(status, 1, Integer::sum);
      if (t == null) {
        continue;
      }
      Long startedAt = t.path("startedAt").isNumber() ? t.path("startedAt").asLong() : null;
      if (startedAt != null && startedAt < killAt) {
        lastStartBeforeKill = Math.max(lastStartBeforeKill, startedAt);
      }
      if (!post) {
        continue;
      }
      if (startedAt != null && (firstStart == null || startedAt < firstStart)) {
        firstStart = startedAt;
        firstStartedTask = "seq " + s.seq() + " sent " + (s.sentAt() - killAt) + " ms after the kill to " + s.base()
            + ", " + t;
      }
      if (status.equals("SUCCEEDED") && (firstSucceeded == null || t.path("finishedAt").asLong() < firstSucceeded)) {
        firstSucceeded = t.path("finishedAt").asLong();
      }
    }
    m.put("finalStatusSentBeforeKill", preStatus);
    m.put("finalStatusSentAfterKill", postStatus);
    m.put("lastStartBeforeKillMsBeforeKill", lastStartBeforeKill == 0 ? null : killAt - lastStartBeforeKill);
    Double outage = firstStart == null ? null : round((firstStart - killAt) / 1000.0, 3);
    m.put("outageSeconds", outage);
    m.put("killToFirstPostKillSucceededSeconds", firstSucceeded == null ? null : round((firstSucceeded - killAt) / 1000.0, 3));
    m.put("configuredBoundSeconds", boundSeconds);
    m.put("outageOverBound", outage == null ? null : round(outage / boundSeconds, 3));
    m.put("boundWithDownRemovalMarginSeconds", boundSeconds + removalMarginSeconds);
    m.put("outageOverBoundWithDownRemovalMargin", outage == null ? null : round(outage / (boundSeconds + removalMarginSeconds), 3));
    m.put("firstPostKillTaskStarted", firstStartedTask);
    if (outage == null) {
      m.put("note", "no task sent after the kill started within the window of " + OUTAGE_WINDOW_MS + " ms + completion wait");
    }
    System.out.printf(Locale.ROOT, "  outage: kill -> first post-kill task started %s s, -> first SUCCEEDED %s s, bound %.1f s, "
            + "ratio %s; removed from membership after %s s; replies after kill %s; statuses after kill %s%n",
        outage, m.get("killToFirstPostKillSucceededSeconds"), boundSeconds, m.get("outageOverBound"),
        m.get("killToRemovedFromMembershipSeconds"), postKillReplies, postStatus);
    return m;
  }

  /** A JSON tree as maps, lists and numbers, so the result file holds it as JSON rather than as a string. */
  static Object plain(JsonNode node) {
    return node == null ? null : JSON.convertValue(node, Object.class);
  }

  static JsonNode getJson(String url) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (Exception e) {
      return null;
    }
  }

  static void printTable(Map<String, Map<String, Object>> results) {
    System.out.println();
    System.out.printf("%-8s | %8s %8s %8s %6s | %8s %7s | %9s | %8s %7s %6s %8s %7s | %7s | %s%n",
        "store", "tasks/s", "s2d p50", "s2d p99", "ok", "PUT/s", "p99 ms", "tasks/PUT",
        "outage s", "bound s", "ratio", "+margin", "ratio", "removed", "load1 before tasks/put/outage");
    System.out.printf("%-8s | %8s %8s %8s %6s | %8s %7s | %9s | %8s %7s %6s %8s %7s | %7s |%n",
        "", "", "ms", "ms", "", "", "", ">=0.4", "", "", "<=1.15", "s", "", "s");
    for (Map<String, Object> run : results.values()) {
      if (run.containsKey("skipped") || run.containsKey("failed")) {
        System.out.printf("%-8s | %s%n", run.get("store"),
            run.containsKey("skipped") ? "skipped: " + run.get("skipped") : "failed: " + run.get("failed"));
        continue;
      }
      System.out.printf(Locale.ROOT, "%-8s | %8s %8s %8s %6s | %8s %7s | %9s | %8s %7s %6s %8s %7s | %7s | %s / %s / %s%n",
          run.get("store"), at(run, "tasks", "tasksPerSecond"), at(run, "tasks", "submitToDoneMs", "p50"),
          at(run, "tasks", "submitToDoneMs", "p99"), at(run, "tasks", "finalStatus", "SUCCEEDED"),
          at(run, "kvPut", "perSecond"), at(run, "kvPut", "p99Ms"), at(run, "tasksOverKvPut"),
          at(run, "outage", "outageSeconds"), at(run, "outage", "configuredBoundSeconds"), at(run, "outage", "outageOverBound"),
          at(run, "outage", "boundWithDownRemovalMarginSeconds"), at(run, "outage", "outageOverBoundWithDownRemovalMargin"),
          at(run, "outage", "killToRemovedFromMembershipSeconds"), first(run.get("loadAverageBeforeTasks")),
          first(run.get("loadAverageBeforeKvPut")), first(run.get("loadAverageBeforeOutage")));
      System.out.printf(Locale.ROOT, "%-8s   kill -> first post-kill task SUCCEEDED: %s s; submit errors in the measured task phase: %s%n",
          "", at(run, "outage", "killToFirstPostKillSucceededSeconds"), at(run, "tasks", "submit", "errors"));
      if (run.containsKey("kill")) {
        System.out.printf(Locale.ROOT, "%-8s   kill -9 of the scheduler's node mid-stream: %s accepted, %s lost (goal 0), "
                + "kill -> scheduler quiet %s s%n", "", at(run, "kill", "accepted"), at(run, "kill", "lost"),
            at(run, "kill", "killToQuietSeconds"));
      }
      if (run.containsKey("heap")) {
        System.out.printf(Locale.ROOT, "%-8s   heap of the largest node after a full GC (MB, -Xmx256m): at start %s, after %s warm-up "
                + "tasks %s, after %s more tasks %s, %s s later %s%n", "", at(run, "heap", "heapAtStart", "maxUsedMB"),
            TASK_WARMUP, at(run, "heap", "heapAfterWarmup", "maxUsedMB"), at(run, "heap", "tasks", "accepted"),
            at(run, "heap", "heapAfterTasks", "maxUsedMB"), heapIdleWait.toSeconds(), at(run, "heap", "heapAfterIdle", "maxUsedMB"));
      }
      if (run.containsKey("recovery")) {
        System.out.printf(Locale.ROOT, "%-8s   scheduler recovery with %s queued: kill -> new scheduler answering with all %s s "
                + "(bound + margin %s s: %s s more; no-load outage %s s: %s s more); recovery itself (log) %s s; snapshot %s bytes%n",
            "", at(run, "recovery", "queuedBeforeKill"), at(run, "recovery", "killToAnswerWithAllQueuedSeconds"),
            at(run, "recovery", "boundWithDownRemovalMarginSeconds"), at(run, "recovery", "recoveryMinusBoundSeconds"),
            at(run, "recovery", "noLoadOutageSeconds"), at(run, "recovery", "recoveryMinusNoLoadOutageSeconds"),
            at(run, "recovery", "schedulerRecoverySecondsFromLog"), at(run, "recovery", "snapshot", "bytes"));
      }
      if (run.containsKey("phaseFailed") || run.containsKey("phaseSkipped")) {
        System.out.printf("%-8s   phases failed: %s; skipped: %s%n", "", run.getOrDefault("phaseFailed", Map.of()),
            run.getOrDefault("phaseSkipped", Map.of()));
      }
    }
  }

  /** The value at {@code path} in nested maps, or "-" where the path ends early (a phase that did not run). */
  static Object at(Map<String, Object> map, String... path) {
    Object v = map;
    for (String key : path) {
      if (!(v instanceof Map<?, ?> m) || !m.containsKey(key)) {
        return "-";
      }
      v = m.get(key);
    }
    return v;
  }

  /** Medians over the outage runs, under the keys of one run, and every run. */
  static Map<String, Object> outageSummary(List<Map<String, Object>> runs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runs", runs.size());
    for (String key : List.of("outageSeconds", "killToFirstPostKillSucceededSeconds", "killToRemovedFromMembershipSeconds")) {
      List<Double> values = runs.stream().map(r -> r.get(key)).filter(Double.class::isInstance).map(Double.class::cast)
          .sorted().toList();
      m.put(key + "Each", runs.stream().map(r -> r.get(key)).toList());
      m.put(key, values.isEmpty() ? null : values.get(values.size() / 2));
    }
    Double outage = (Double) m.get("outageSeconds");
    m.put("configuredBoundSeconds", boundSeconds);
    m.put("outageOverBound", outage == null ? null : round(outage / boundSeconds, 3));
    m.put("boundWithDownRemovalMarginSeconds", boundSeconds + removalMarginSeconds);
    m.put("outageOverBoundWithDownRemovalMargin", outage == null ? null : round(outage / (boundSeconds + removalMarginSeconds), 3));
    m.put("each", runs);
    return m;
  }

  static List<String> selectedPhases(String names) {
    List<String> asked = Stream.of(names.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList();
    for (String p : asked) {
      if (!ALL_PHASES.contains(p)) {
        throw new IllegalArgumentException("tasks.phases: unknown phase '" + p + "'; known: " + ALL_PHASES);
      }
    }
    return ALL_PHASES.stream().filter(asked::contains).toList();
  }

  static double load1() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (Exception e) {
      return 0;
    }
  }

  static String first(Object loadavg) {
    return loadavg == null ? "-" : loadavg.toString().split(" ")[0];
  }

  // ---------------------------------------------------------------- minimal JSON writer

}
