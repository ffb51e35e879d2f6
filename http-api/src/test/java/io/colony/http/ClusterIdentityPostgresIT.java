package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.colony.persistence.ClusterIdentity;
import io.colony.persistence.JournalDatabase;
import io.colony.testkit.Postgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nodes starting at once on an empty PostgreSQL database agree on one cluster id (PostgreSQL can
 * fail one of two concurrent {@code CREATE TABLE IF NOT EXISTS}, and only one insert may win).
 */
@ExtendWith(LogCapturingExtension.class)
class ClusterIdentityPostgresIT {

  @Test
  void concurrentFirstStartsOnAnEmptyPostgresDatabaseAgreeOnOneId() throws Exception {
    try (Postgres postgres = Postgres.start()) {
      Map<String, String> env = postgres.env();
      for (int round = 0; round < 3; round++) {
        // A schema of its own: an empty database even on a server other tests have used.
        String schema = "cluster_id_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection connection = postgres.connect(); Statement statement = connection.createStatement()) {
          statement.execute("CREATE SCHEMA " + schema);
        }
        String url = env.get("COLONY_DB_URL");
        JournalDatabase database = new JournalDatabase(JournalDatabase.Kind.POSTGRES,
            url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema,
            env.getOrDefault("COLONY_DB_USER", "postgres"), env.getOrDefault("COLONY_DB_PASSWORD", ""), 2);
        assertEquals(1, idsOfConcurrentStarts(database, 6).size());
      }
    }
  }

  private static Set<String> idsOfConcurrentStarts(JournalDatabase database, int nodes) throws Exception {
    CyclicBarrier together = new CyclicBarrier(nodes);
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      List<Callable<String>> starts = IntStream.range(0, nodes).<Callable<String>>mapToObj(i -> () -> {
        together.await(10, TimeUnit.SECONDS);
        return ClusterIdentity.ensure(database, Duration.ofSeconds(20), Duration.ofMillis(100));
      }).toList();
      Set<String> ids = new java.util.HashSet<>();
      for (Future<String> start : pool.invokeAll(starts)) {
        ids.add(start.get(30, TimeUnit.SECONDS));
      }
      return ids;
    } finally {
      pool.shutdownNow();
    }
  }
}
