package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.http.testing.FreePorts;
import io.colony.http.testing.HttpJson;
import io.colony.http.testing.Membership;
import io.colony.http.testing.NodeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/colony up 3 / status / down}, end to end, on free ports and a private run folder. */
class LauncherIT {

  @TempDir Path runDir;
  private int baseHttp;
  private int baseRemote;
  private final int dbPort = FreePorts.next();

  /** The launcher's own output and exit code. */
  record Result(int exitCode, String output) {}

  @AfterEach
  void alwaysDown() throws Exception {
    colony("down");
  }

  @Test
  void upStatusDown() throws Exception {
    baseHttp = FreePorts.consecutive(3);
    baseRemote = FreePorts.consecutive(3);

    Result up = colony("up", "3");
    assertEquals(0, up.exitCode(), up.output());
    for (int i = 0; i < 3; i++) {
      assertTrue(up.output().contains("http://127.0.0.1:" + (baseHttp + i)), up.output());
    }
    Membership members = Membership.of("http://127.0.0.1:" + baseHttp);
    assertEquals(3, members.statusByNode().size(), members.toString());
    assertTrue(members.statusByNode().values().stream().allMatch("Up"::equals), members.toString());

    // The sample entity types are on every node's classpath by default.
    assertTrue(HttpJson.get("http://127.0.0.1:" + baseHttp + "/v1/entities").body()
        .contains("\"name\":\"counter\""));

    Result status = colony("status");
    assertEquals(0, status.exitCode(), status.output());
    for (int i = 0; i < 3; i++) {
      assertTrue(status.output().matches("(?s).*pekko://colony@127\\.0\\.0\\.1:" + (baseRemote + i) + "\\s+Up.*"), status.output());
    }

    List<Long> pids = pids();
    assertEquals(3, pids.size());
    Result again = colony("up", "3");
    assertEquals(0, again.exitCode(), again.output());
    assertTrue(again.output().contains("already running"), again.output());
    assertEquals(pids, pids(), "a second 'up' must not start other nodes");

    // The nodes share one H2 server: a value written through node 1 is read through node 3.
    String key = "http://127.0.0.1:" + baseHttp + "/v1/kv/launcher-key";
    assertEquals(200, HttpJson.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(key))
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("kept"))).statusCode());
    assertEquals("kept", HttpJson.get("http://127.0.0.1:" + (baseHttp + 2) + "/v1/kv/launcher-key").body());
    long h2 = Long.parseLong(Files.readString(runDir.resolve("h2.pid")).trim());

    Result down = colony("down");
    assertEquals(0, down.exitCode(), down.output());
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "node " + pid + " still runs");
    }
    assertFalse(ProcessHandle.of(h2).map(ProcessHandle::isAlive).orElse(false), "the H2 server still runs");
    Result statusAfter = colony("status");
    assertEquals(1, statusAfter.exitCode(), statusAfter.output());

    // The data outlives the cluster.
    assertEquals(0, colony("up", "1").exitCode());
    assertEquals("kept", HttpJson.get(key).body());
  }

  @Test
  void upRejectsABadNodeCount() throws Exception {
    baseHttp = FreePorts.consecutive(1);
    baseRemote = FreePorts.consecutive(1);
    Result result = colony("up", "many");
    assertEquals(1, result.exitCode());
    assertTrue(result.output().contains("N must be a number"), result.output());
  }

  @Test
  void samplesCanBeLeftOut() throws Exception {
    baseHttp = FreePorts.consecutive(1);
    baseRemote = FreePorts.consecutive(1);
    Result bad = colony(Map.of("COLONY_SAMPLES", "maybe"), "up", "1");
    assertEquals(1, bad.exitCode(), bad.output());
    assertTrue(bad.output().contains("COLONY_SAMPLES must be on or off"), bad.output());

    Result up = colony(Map.of("COLONY_SAMPLES", "off"), "up", "1");
    assertEquals(0, up.exitCode(), up.output());
    assertEquals("{\"entityTypes\":[]}",
        HttpJson.get("http://127.0.0.1:" + baseHttp + "/v1/entities").body());
  }

  private List<Long> pids() throws IOException {
    try (var files = Files.list(runDir)) {
      return files.filter(f -> f.getFileName().toString().matches("node-\\d+\\.pid")).sorted()
          .map(f -> {
            try {
              return Long.parseLong(Files.readString(f).trim());
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .toList();
    }
  }

  private Result colony(String... args) throws Exception {
    return colony(Map.of(), args);
  }

  private Result colony(Map<String, String> extraEnv, String... args) throws Exception {
    Path home = Path.of(System.getProperty("colony.home", "..")).toAbsolutePath().normalize();
    List<String> command = new java.util.ArrayList<>(List.of("bash", home.resolve("bin/colony").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("COLONY_"));
    env.put("COLONY_RUN_DIR", runDir.toString());
    env.put("COLONY_DATA_DIR", runDir.resolve("data").toString());
    env.put("COLONY_JAR", NodeProcess.jar().toString());
    env.put("COLONY_BASE_HTTP_PORT", String.valueOf(baseHttp));
    env.put("COLONY_BASE_REMOTE_PORT", String.valueOf(baseRemote));
    env.put("COLONY_BASE_MANAGEMENT_PORT", String.valueOf(FreePorts.consecutive(3)));
    env.put("COLONY_DB_PORT", String.valueOf(dbPort));
    env.putAll(extraEnv);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(150, TimeUnit.SECONDS), "bin/colony " + String.join(" ", args) + " hung");
    return new Result(process.exitValue(), output);
  }
}
