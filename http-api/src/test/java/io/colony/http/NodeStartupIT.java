package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import io.colony.testkit.NodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node that cannot use its journal database or its configuration, or would listen beyond
 * loopback unprotected, says so and exits non-zero.
 */
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
  void aNodeBeyondLoopbackWithoutApiTokensOrTlsRefusesToStartWithExitCode4() {
    try (NodeProcess node = NodeProcess.start("open-beyond-loopback", LOGS, FreePorts.next(), FreePorts.next(), Map.of(
        "COLONY_HOST", "0.0.0.0"))) {
      assertEquals(4, node.waitForExit(Duration.ofSeconds(30)));
      assertTrue(node.logTail().contains("Refusing to start: This node would listen on 0.0.0.0, beyond loopback, "
          + "with its HTTP API without API tokens (COLONY_API_TOKENS_FILE or COLONY_API_JWKS_FILE) and its cluster port (Artery) without "
          + "mutual TLS (COLONY_TLS_DIR)"), node.logTail());
    }
  }

  @Test
  void aNodeBeyondLoopbackWithInsecureStartsAndWarns() throws Exception {
    int remotePort = FreePorts.next();
    Files.deleteIfExists(LOGS.resolve("insecure.log")); // the warning must come from this run
    try (NodeProcess node = NodeProcess.start("insecure", LOGS, FreePorts.next(), remotePort, Map.of(
        "COLONY_HOST", "0.0.0.0",
        "COLONY_INSECURE", "true",
        "COLONY_MANAGEMENT_PORT", String.valueOf(FreePorts.next()),
        "COLONY_SEED_NODES", "0.0.0.0:" + remotePort))) { // its own address, as it advertises it
      await().atMost(Duration.ofSeconds(60)).until(() -> HttpJson.status(node.url() + "/alive") == 200);
      String log = Files.readString(node.log());
      assertTrue(log.contains("WARN  io.colony.http.StartupSafety") && log.contains("without mutual TLS (COLONY_TLS_DIR); "
          + "starting anyway because COLONY_INSECURE=true"), node.logTail());
    }
  }

  @Test
  void aMalformedTokensFileIsAClearErrorNamingTheLineAndExitCode2(@TempDir Path dir) throws Exception {
    Path tokens = Files.writeString(dir.resolve("tokens"), "# tokens\nreader r-token\n");
    try (NodeProcess node = NodeProcess.start("bad-tokens", LOGS, FreePorts.next(), FreePorts.next(), Map.of(
        "COLONY_API_TOKENS_FILE", tokens.toString()))) {
      assertEquals(2, node.waitForExit(Duration.ofSeconds(30)));
      assertTrue(node.logTail().contains("Invalid configuration: COLONY_API_TOKENS_FILE: " + tokens.toAbsolutePath()
          + " line 2: unknown role 'reader'"), node.logTail());
    }
  }

  @Test
  void aTlsFolderWithoutTheKeyIsAClearErrorAndExitCode2(@TempDir Path dir) {
    try (NodeProcess node = NodeProcess.start("bad-tls", LOGS, FreePorts.next(), FreePorts.next(), Map.of(
        "COLONY_TLS_DIR", dir.toString()))) {
      assertEquals(2, node.waitForExit(Duration.ofSeconds(30)));
      assertTrue(node.logTail().contains("Invalid configuration: COLONY_TLS_DIR: " + dir.toAbsolutePath().resolve("node.key")
          + " is missing or unreadable"), node.logTail());
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
