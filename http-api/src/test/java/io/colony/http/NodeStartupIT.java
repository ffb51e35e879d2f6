package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.testkit.FreePorts;
import io.colony.testkit.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** A node that cannot use its journal database or its configuration says so and exits non-zero. */
@ExtendWith(LogCapturingExtension.class)
class NodeStartupIT {

  private static final Path LOGS = Path.of("target", "it-logs", "node-startup");

  @Test
  void unreachableDatabaseIsAClearErrorAndExitCode3() {
    int closedPort = FreePorts.next();
    try (NodeProcess node = NodeProcess.start("no-database", LOGS, FreePorts.next(), FreePorts.next(), Map.of(
        "COLONY_DB_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/colony",
        "COLONY_SEED_NODES", "127.0.0.1:" + closedPort))) {
      assertEquals(3, node.waitForExit(Duration.ofSeconds(60)));
      String log = node.logTail();
      assertTrue(log.contains("Cannot use the journal database POSTGRES jdbc:postgresql://127.0.0.1:" + closedPort), log);
    }
  }

  @Test
  void invalidConfigurationIsAClearErrorAndExitCode2() {
    try (NodeProcess node = NodeProcess.start("bad-seed", LOGS, FreePorts.next(), FreePorts.next(), Map.of(
        "COLONY_SEED_NODES", "not-a-host-port"))) {
      assertEquals(2, node.waitForExit(Duration.ofSeconds(30)));
      assertTrue(node.logTail().contains("COLONY_SEED_NODES"), node.logTail());
    }
  }
}
