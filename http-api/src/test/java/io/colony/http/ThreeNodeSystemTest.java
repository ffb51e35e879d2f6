package io.colony.http;

import io.colony.testkit.LocalCluster;
import io.colony.testkit.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A system test on three node processes sharing one journal database, which a subclass picks
 * (H2 or PostgreSQL). Starting a cluster of processes takes long, so a subclass's scenarios run
 * on one cluster, one scenario per {@code @Test}, in the order of their {@code @Order}; a
 * scenario starts by {@link #restartDeadNodes() restarting} any node an earlier one killed, so
 * each checks its own promise whatever happened before. Logs go to {@code target/it-logs/<name>};
 * everything is stopped after the last scenario.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(LogCapturingExtension.class)
abstract class ThreeNodeSystemTest {

  private TestDatabase database;
  /** The cluster of the running test. */
  protected LocalCluster cluster;
  private int restarts;

  /** The journal database under test. */
  abstract TestDatabase startDatabase(Path dir);

  abstract String name();

  /** Classpath entries after the node jar; none unless a test needs, e.g., the sample entity types. */
  List<String> extraClasspath() {
    return List.of();
  }

  /** Starts the database and three nodes, and waits until all see each other Up. */
  @BeforeAll
  void startCluster() {
    Path dir = Path.of("target", "it-logs", name()).toAbsolutePath();
    database = startDatabase(dir.resolve("db"));
    cluster = new LocalCluster(dir, 3, database.env(), extraClasspath()).startAll("first");
    cluster.awaitAllUp();
  }

  /** Starts again every node that is no longer running, and waits until all three are Up. */
  protected void restartDeadNodes() {
    for (int i = 0; i < cluster.nodes().length; i++) {
      if (!cluster.node(i).isAlive()) {
        cluster.start(i, "restarted-" + ++restarts);
      }
    }
    cluster.awaitAllUp();
  }

  @AfterAll
  void stopAll() {
    if (cluster != null) {
      cluster.close();
    }
    if (database != null) {
      database.close();
    }
  }
}
