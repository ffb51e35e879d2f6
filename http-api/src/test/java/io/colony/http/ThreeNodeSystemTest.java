package io.colony.http;

import io.colony.testkit.LocalCluster;
import io.colony.testkit.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * A system test on three node processes sharing one journal database, which a subclass picks
 * (H2 or PostgreSQL). Logs go to {@code target/it-logs/<name>}; everything is stopped after the test.
 */
abstract class ThreeNodeSystemTest {

  private TestDatabase database;
  /** The cluster of the running test, once {@link #startCluster()} has formed it. */
  protected LocalCluster cluster;

  /** The journal database under test. */
  abstract TestDatabase startDatabase(Path dir);

  abstract String name();

  /** Classpath entries after the node jar; none unless a test needs, e.g., the sample entity types. */
  List<String> extraClasspath() {
    return List.of();
  }

  /** Starts the database and three nodes, and waits until all see each other Up. */
  protected LocalCluster startCluster() {
    Path dir = Path.of("target", "it-logs", name()).toAbsolutePath();
    database = startDatabase(dir.resolve("db"));
    cluster = new LocalCluster(dir, 3, database.env(), extraClasspath()).startAll("first");
    cluster.awaitAllUp();
    return cluster;
  }

  @AfterEach
  void stopAll() {
    if (cluster != null) {
      cluster.close();
    }
    if (database != null) {
      database.close();
    }
  }
}
