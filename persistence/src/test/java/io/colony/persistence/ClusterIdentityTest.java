package io.colony.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LogCapturingExtension.class)
class ClusterIdentityTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration PAUSE = Duration.ofMillis(100);

  private static JournalDatabase freshDatabase() {
    return new JournalDatabase(JournalDatabase.Kind.H2,
        "jdbc:h2:mem:cluster-id-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;DATABASE_TO_UPPER=false", "sa", "", 2);
  }

  @Test
  void theFirstStartStoresAnIdThatLaterStartsReadBack() {
    JournalDatabase database = freshDatabase();
    String first = ClusterIdentity.ensure(database, TIMEOUT, PAUSE);
    assertEquals(first, ClusterIdentity.ensure(database, TIMEOUT, PAUSE));
  }

  @Test
  void twoDatabasesGetTwoIds() {
    assertNotEquals(ClusterIdentity.ensure(freshDatabase(), TIMEOUT, PAUSE),
        ClusterIdentity.ensure(freshDatabase(), TIMEOUT, PAUSE));
  }

  @Test
  void concurrentFirstStartsOnAnEmptyDatabaseAgreeOnOneId() throws Exception {
    for (int round = 0; round < 5; round++) {
      JournalDatabase database = freshDatabase();
      int nodes = 8;
      CyclicBarrier together = new CyclicBarrier(nodes);
      ExecutorService pool = Executors.newFixedThreadPool(nodes);
      try {
        List<Callable<String>> starts = IntStream.range(0, nodes).<Callable<String>>mapToObj(i -> () -> {
          together.await(10, TimeUnit.SECONDS);
          return ClusterIdentity.ensure(database, TIMEOUT, PAUSE);
        }).toList();
        Set<String> ids = pool.invokeAll(starts).stream().map(ClusterIdentityTest::get).collect(Collectors.toSet());
        assertEquals(1, ids.size(), "every node read the same id: " + ids);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void anUnreachableDatabaseIsAClearErrorAfterTheStartupTimeout() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    JournalDatabase away = new JournalDatabase(JournalDatabase.Kind.H2,
        "jdbc:h2:tcp://127.0.0.1:" + closedPort + "/nothing", "sa", "", 2);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ClusterIdentity.ensure(away, Duration.ofMillis(500), PAUSE));
    assertTrue(e.getMessage().startsWith("Cannot use the journal database H2 jdbc:h2:tcp://127.0.0.1:" + closedPort),
        e.getMessage());
  }

  private static String get(Future<String> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
