package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.testkit.FreePorts;
import io.colony.testkit.H2Server;
import io.colony.testkit.HttpJson;
import io.colony.testkit.JournalSeed;
import io.colony.testkit.KvJournal;
import io.colony.testkit.NodeProcess;
import io.colony.persistence.JournalDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The key listing's projection reads events with values of 1 MiB in bounded memory: 300 of
 * them (300 MiB, more than a node's 256 MiB heap) are written into the journal while no node
 * runs, and the next node to start catches up and lists them all without running out of
 * memory. With the read journal's default buffer (500 events a poll) its first poll would hold
 * all 300 values, twice over while they are decoded: set {@code -Dlisting.max-buffer-size=500}
 * to see that node die.
 */
@ExtendWith(LogCapturingExtension.class)
class ListingMemoryIT {

  private static final int KEYS = 300;
  private static final int MIB = 1024 * 1024;
  private static final Path DIR = Path.of("target", "it-logs", "listing-memory").toAbsolutePath();

  private H2Server h2;
  private NodeProcess node;

  @AfterEach
  void stopAll() {
    if (node != null) {
      node.close();
    }
    if (h2 != null) {
      h2.close();
    }
  }

  @Test
  void threeHundredValuesOfOneMebibyteAreListedByANodeWith256MebibytesOfHeap() throws IOException {
    h2 = H2Server.start(DIR.resolve("db-" + System.nanoTime()));
    String url = h2.env().get("COLONY_DB_URL");
    int remote = FreePorts.next();
    Map<String, String> env = new HashMap<>(Map.of("COLONY_DB_URL", url, "COLONY_SEED_NODES", "127.0.0.1:" + remote));
    String buffer = System.getProperty("listing.max-buffer-size");
    if (buffer != null) {
      Path config = Files.writeString(Files.createDirectories(DIR).resolve("buffer.conf"),
          "jdbc-read-journal.max-buffer-size = " + buffer + "\n");
      env.put("COLONY_CONFIG", config.toString());
    }
    // A first node creates the tables, and stops.
    node = NodeProcess.start("first", DIR, FreePorts.next(), remote, env);
    await().atMost(Duration.ofSeconds(60)).until(() -> HttpJson.status(node.url() + "/ready") == 200);
    node.terminate();
    assertEquals(0, node.waitForExit(Duration.ofSeconds(60)), node.logTail());

    List<String> keys = IntStream.range(0, KEYS).mapToObj(i -> String.format("big/%03d", i)).toList();
    long seeding = System.nanoTime();
    ActorSystem<Void> serialization = JournalSeed.serializationSystem();
    try {
      byte[] value = new byte[MIB];
      KvJournal.write(new JournalDatabase(JournalDatabase.Kind.H2, url + ";DATABASE_TO_UPPER=false", "sa", "", 1),
          serialization, keys, key -> value, 4);
    } finally {
      ActorTestKit.shutdown(serialization);
    }
    long listing = System.nanoTime();
    node = NodeProcess.start("second", DIR, FreePorts.next(), remote, env);
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> {
      assertTrue(node.isAlive(), "the node died:\n" + node.logTail());
      return HttpJson.status(node.url() + "/ready") == 200
          && HttpJson.getJson(node.url() + "/v1/kv?prefix=big/&limit=1000").get("keys").size() == KEYS;
    });
    System.out.printf("%d values of 1 MiB written in %d ms, all listed %d ms after the next node's launch%n", KEYS,
        (listing - seeding) / 1_000_000, (System.nanoTime() - listing) / 1_000_000);
    assertTrue(node.isAlive());
    assertFalse(node.logTail().contains("OutOfMemoryError"), node.logTail());
    assertEquals(200, HttpJson.status(node.url() + "/ready"));
  }
}
