package io.colony.http.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL for system tests. CI (.ci/run) starts one and passes it in COLONY_TEST_PG_URL,
 * _USER and _PASSWORD; without them the test starts its own throwaway server with
 * {@code .ci/postgres} from the installed binaries. Either way a missing PostgreSQL fails
 * the test: it is never skipped.
 */
public final class Postgres implements TestDatabase {

  private final Map<String, String> env;
  private final Path ownDir;

  private Postgres(Map<String, String> env, Path ownDir) {
    this.env = env;
    this.ownDir = ownDir;
  }

  public static Postgres start() {
    String url = System.getenv("COLONY_TEST_PG_URL");
    if (url != null && !url.isBlank()) {
      return new Postgres(Map.of(
          "COLONY_DB_URL", url,
          "COLONY_DB_USER", System.getenv().getOrDefault("COLONY_TEST_PG_USER", "postgres"),
          "COLONY_DB_PASSWORD", System.getenv().getOrDefault("COLONY_TEST_PG_PASSWORD", "")), null);
    }
    Path dir = Path.of("/tmp", "colony-pg-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    List<String> lines = script("start", dir);
    Map<String, String> env = new HashMap<>();
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (line.startsWith("COLONY_DB_") && eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    if (!env.containsKey("COLONY_DB_URL")) {
      throw new AssertionError("PostgreSQL did not start: " + lines);
    }
    return new Postgres(env, dir);
  }

  private static List<String> script(String command, Path dir) {
    Path home = Path.of(System.getProperty("colony.home", "..")).toAbsolutePath().normalize();
    try {
      Process process = new ProcessBuilder("bash", home.resolve(".ci/postgres").toString(), command, dir.toString())
          .redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new AssertionError(".ci/postgres " + command + " failed (PostgreSQL is required, never skipped):\n" + output);
      }
      return output.lines().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public Map<String, String> env() {
    return env;
  }

  @Override
  public void close() {
    if (ownDir != null && Files.exists(ownDir)) {
      script("stop", ownDir);
    }
  }
}
