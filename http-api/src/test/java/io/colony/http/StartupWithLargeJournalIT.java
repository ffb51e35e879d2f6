package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.persistence.JournalDatabase;
import io.colony.testkit.FreePorts;
import io.colony.testkit.H2Server;
import io.colony.testkit.HttpJson;
import io.colony.testkit.JournalSeed;
import io.colony.testkit.KvJournal;
import io.colony.testkit.NodeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Start-up does not depend on the amount of data: no node replays the journal to start. A node
 * process (256 MiB heap, as everywhere) on a journal of 200,000 keys is ready about as fast as
 * on an empty journal (at most 10 s more, far less than a replay) and its heap after a full GC
 * is as small (within 1.2×). The two journals are two databases of one H2 server; the runs alternate between them (and which goes first) so
 * a busy machine slows both alike, and the medians of three runs each are compared (on a shared
 * two-core machine one start can take twice as long as the next). Prints its figures.
 *
 * <p>The large journal is seeded as a running cluster leaves it: 200,000 {@code ValueWritten}
 * events written into the journal tables (serialized as the plugin does), their listing rows,
 * and the listing projection's offset at the last of them; so the check that a new key is
 * listed after each start also shows the projection resuming from its stored offset.
 */
@ExtendWith(LogCapturingExtension.class)
class StartupWithLargeJournalIT {

  /** How much longer start-up on the large journal may take: far less than any replay of it. */
  private static final long REPLAY_GUARD_MILLIS = 10_000;
  private static final int KEYS = 200_000;
  private static final int RUNS = 3;
  private static final double MAX_RATIO = 1.2;
  private static final Path DIR = Path.of("target", "it-logs", "startup-large-journal").toAbsolutePath();
  private static final Pattern USED =
      Pattern.compile("(?:def new generation|tenured generation)\\s+total \\d+K, used (\\d+)K");

  /** As the node connects (JournalDatabase). */
  private static final String H2_SETTINGS = ";DATABASE_TO_UPPER=false";

  private H2Server h2;
  private final List<NodeProcess> started = new ArrayList<>();
  private final List<Connection> holders = new ArrayList<>();

  /** One start: how long until /ready answered 200, and the heap in use after a full GC once the node works. */
  private record Sample(long readyMillis, long heapKiB, long nodeCpuMillis, long databaseCpuMillis) {}

  @AfterEach
  void stopAll() throws SQLException {
    started.forEach(NodeProcess::close);
    for (Connection holder : holders) {
      holder.close();
    }
    if (h2 != null) {
      h2.close();
    }
  }

  @Test
  void aNodeOn200000KeysReplaysNothingAtStartAndTakesNoMoreHeap() throws Exception {
    deleteRecursively(DIR); // the databases and logs of an earlier run
    h2 = H2Server.start(DIR.resolve("db"));
    String server = h2.env().get("COLONY_DB_URL");
    String empty = server.replaceAll("/colony$", "/empty");
    String large = server.replaceAll("/colony$", "/large");
    // A first start on each creates the journal, listing and offset tables.
    start("warm-up-empty", empty);
    start("warm-up-large", large);

    long seeding = System.nanoTime();
    seed(large);
    System.out.printf("seeded %,d keys in %d ms%n", KEYS, (System.nanoTime() - seeding) / 1_000_000);
    // Both databases compacted, then held open, as a database that a cluster uses all along is:
    // H2 would otherwise tidy the freshly written one, and close and reopen both, between the runs.
    compact(empty);
    compact(large);
    holders.add(DriverManager.getConnection(empty + H2_SETTINGS, "sa", ""));
    holders.add(DriverManager.getConnection(large + H2_SETTINGS, "sa", ""));

    List<Sample> onEmpty = new ArrayList<>();
    List<Sample> onLarge = new ArrayList<>();
    for (int run = 1; run <= RUNS; run++) {
      // Alternating which goes first, so that neither always follows the other's shutdown.
      if (run % 2 == 1) {
        onEmpty.add(start("empty-" + run, empty));
        onLarge.add(start("large-" + run, large));
      } else {
        onLarge.add(start("large-" + run, large));
        onEmpty.add(start("empty-" + run, empty));
      }
    }
    long readyEmpty = median(onEmpty, Sample::readyMillis);
    long readyLarge = median(onLarge, Sample::readyMillis);
    long heapEmpty = median(onEmpty, Sample::heapKiB);
    long heapLarge = median(onLarge, Sample::heapKiB);
    long cpuEmpty = median(onEmpty, Sample::nodeCpuMillis);
    long cpuLarge = median(onLarge, Sample::nodeCpuMillis);
    System.out.printf("start-up, median of %d | empty journal | %,d keys | ratio%n", RUNS, KEYS);
    System.out.printf("time to ready (ms)     | %13d | %11d | %.2f%n", readyEmpty, readyLarge,
        (double) readyLarge / readyEmpty);
    System.out.printf("heap after GC (KiB)    | %13d | %11d | %.2f%n", heapEmpty, heapLarge,
        (double) heapLarge / heapEmpty);
    System.out.printf("node CPU to ready (ms) | %13d | %11d | %.2f%n", cpuEmpty, cpuLarge,
        (double) cpuLarge / cpuEmpty);
    System.out.println("all runs: empty " + onEmpty + ", large " + onLarge);
    // Time is a figure (printed above; on a loaded 2-core machine it varies by seconds), not a
    // timed assertion: the guard is that nothing is replayed, which would take minutes for
    // 200,000 keys, so the large journal may cost at most a fixed few seconds more.
    assertTrue(readyLarge <= readyEmpty + REPLAY_GUARD_MILLIS,
        "time to ready: " + readyLarge + " vs " + readyEmpty + " ms: does a node replay history at start?");
    assertTrue(heapLarge <= MAX_RATIO * heapEmpty, "heap after GC: " + heapLarge + " vs " + heapEmpty + " KiB");
  }

  private static long median(List<Sample> samples, java.util.function.ToLongFunction<Sample> figure) {
    long[] values = samples.stream().mapToLong(figure).sorted().toArray();
    return values[values.length / 2];
  }

  /**
   * Starts a single-node cluster on {@code url}, waits until it is ready, until a key written now
   * is listed (the projections run), and measures its heap after a full GC; then stops it.
   */
  private Sample start(String label, String url) throws Exception {
    int remote = FreePorts.next();
    Duration databaseCpu = h2.cpuTime();
    long launched = System.nanoTime();
    NodeProcess node = NodeProcess.start(label, DIR, FreePorts.next(), remote,
        Map.of("COLONY_DB_URL", url, "COLONY_SEED_NODES", "127.0.0.1:" + remote));
    started.add(node);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
        .until(() -> HttpJson.status(node.url() + "/ready") == 200);
    long readyMillis = (System.nanoTime() - launched) / 1_000_000;
    long nodeCpuMillis = node.cpuTime().toMillis();
    long databaseCpuMillis = h2.cpuTime().minus(databaseCpu).toMillis();

    String probe = "probe/" + label;
    assertEquals(200, HttpJson.send(HttpRequest.newBuilder(URI.create(node.url() + "/v1/kv/probe%2F" + label))
        .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString(label))).statusCode());
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
        keys(HttpJson.getJson(node.url() + "/v1/kv?prefix=probe/&limit=1000")).contains(probe));
    if (label.startsWith("large-")) {
      assertEquals(List.of("seed/199998", "seed/199999"),
          keys(HttpJson.getJson(node.url() + "/v1/kv?prefix=seed/&after=seed/199997")), "the seeded keys are listed");
    }
    long heapKiB = heapAfterFullGc(node);
    node.terminate();
    assertEquals(0, node.waitForExit(Duration.ofSeconds(60)), node.logTail());
    System.out.printf("%-14s ready after %5d ms (CPU until then: node %5d ms, database %4d ms), "
        + "heap after GC %,7d KiB%n", label, readyMillis, nodeCpuMillis, databaseCpuMillis, heapKiB);
    return new Sample(readyMillis, heapKiB, nodeCpuMillis, databaseCpuMillis);
  }

  /** {@code jcmd GC.run} (a full, compacting collection with the nodes' Serial GC), then the heap in use. */
  private static long heapAfterFullGc(NodeProcess node) throws IOException, InterruptedException {
    jcmd(node, "GC.run");
    String info = jcmd(node, "GC.heap_info");
    Matcher used = USED.matcher(info);
    long total = 0;
    int generations = 0;
    while (used.find()) {
      total += Long.parseLong(used.group(1));
      generations++;
    }
    assertEquals(2, generations, "young and old generation in: " + info);
    return total;
  }

  private static String jcmd(NodeProcess node, String command) throws IOException, InterruptedException {
    Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(node.pid()), command).redirectErrorStream(true).start();
    String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, jcmd.waitFor(), output);
    return output;
  }

  /**
   * 200,000 keys of 128 bytes in the journal, their rows in the listing table, and the listing
   * projection's offset at the last event: a journal as a cluster that wrote them leaves it.
   */
  private static void seed(String serverUrl) throws SQLException {
    String url = serverUrl + H2_SETTINGS;
    List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> String.format("seed/%06d", i)).toList();
    JournalDatabase database = new JournalDatabase(JournalDatabase.Kind.H2, url, "sa", "", 1);
    ActorSystem<Void> serialization = JournalSeed.serializationSystem();
    try {
      byte[] value = new byte[128];
      Arrays.fill(value, (byte) 'v');
      KvJournal.write(database, serialization, keys, key -> value);
    } finally {
      ActorTestKit.shutdown(serialization);
    }
    try (Connection connection = DriverManager.getConnection(url, "sa", "")) {
      connection.setAutoCommit(false);
      for (int from = 0; from < keys.size(); from += 1000) {
        List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 1000));
        try (PreparedStatement rows = connection.prepareStatement("INSERT INTO colony_entity_ids (type, id, seq_nr) "
            + "VALUES " + String.join(", ", Collections.nCopies(chunk.size(), "('kv', ?, 1)")))) {
          for (int i = 0; i < chunk.size(); i++) {
            rows.setBytes(i + 1, chunk.get(i).getBytes(StandardCharsets.UTF_8));
          }
          rows.executeUpdate();
        }
        connection.commit();
      }
      try (Statement offset = connection.createStatement()) {
        assertEquals(1, offset.executeUpdate("UPDATE colony_projection_offsets SET \"offset\" = "
            + "(SELECT MAX(\"ordering\") FROM \"event_journal\") WHERE name = 'kv-keys'"));
      }
      connection.commit();
    }
  }

  /** Closes the database with H2's full compaction; no node may be connected. */
  private static void compact(String serverUrl) throws SQLException {
    try (Connection connection = DriverManager.getConnection(serverUrl + H2_SETTINGS, "sa", "");
        Statement statement = connection.createStatement()) {
      statement.execute("SHUTDOWN COMPACT");
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  private static List<String> keys(JsonNode page) {
    List<String> keys = new ArrayList<>();
    page.get("keys").forEach(key -> keys.add(key.asText()));
    return keys;
  }
}
