package io.colony.bench;

import static io.colony.bench.BenchSupport.NODES;
import static io.colony.bench.BenchSupport.database;
import static io.colony.bench.BenchSupport.round;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU used during a phase: the whole machine (from /proc/stat, as a share of all cores), the
 * nodes together, the database server and this driver (each in cores, i.e. CPU seconds per second).
 */
record CpuSnapshot(long machineBusy, long machineTotal, long nodesNanos, Map<Long, Long> dbNanos, long benchNanos) {

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
    for (ProcessHandle node : NODES) {
      nodes += cpuNanos(node);
    }
    // Per process: PostgreSQL's backends come and go, and one that exits takes its CPU time along.
    Map<Long, Long> db = new HashMap<>();
    BenchSupport.Db measured = database;
    if (measured != null) {
      measured.server().processes().forEach(h -> db.put(h.pid(), cpuNanos(h)));
    }
    return new CpuSnapshot(busy, total, nodes, db, cpuNanos(ProcessHandle.current()));
  }

  static long cpuNanos(ProcessHandle h) {
    return h.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }

  Map<String, Object> since(CpuSnapshot before, double seconds) {
    Map<String, Object> m = new LinkedHashMap<>();
    double nodes = (nodesNanos - before.nodesNanos) / 1e9 / seconds;
    long dbDelta = 0;
    for (Map.Entry<Long, Long> e : dbNanos.entrySet()) { // backends that exited meanwhile are not counted
      dbDelta += Math.max(0, e.getValue() - before.dbNanos.getOrDefault(e.getKey(), 0L));
    }
    double db = dbDelta / 1e9 / seconds;
    double bench = (benchNanos - before.benchNanos) / 1e9 / seconds;
    m.put("nodesCores", round(nodes, 2));
    BenchSupport.Db measured = database;
    if (measured != null) {
      m.put(measured.isPostgres() ? "postgresCores" : "h2Cores", round(db, 2));
    }
    m.put("benchCores", round(bench, 2));
    if (machineTotal > before.machineTotal && before.machineTotal >= 0) {
      double busy = (double) (machineBusy - before.machineBusy) / (machineTotal - before.machineTotal);
      int cores = Runtime.getRuntime().availableProcessors();
      m.put("machineBusyPercent", round(100.0 * busy, 0));
      // What the rest of the machine (other programs, the kernel) used meanwhile.
      m.put("otherCores", round(Math.max(0, busy * cores - nodes - db - bench), 2));
    }
    return m;
  }
}
