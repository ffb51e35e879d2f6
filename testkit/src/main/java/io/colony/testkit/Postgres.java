package io.colony.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * PostgreSQL for system tests and benchmarks. CI (.ci/run) starts one and passes it in
 * COLONY_TEST_PG_URL, _USER and _PASSWORD; without them {@link #start()} starts a throwaway
 * server with {@code .ci/postgres} from the installed binaries. Either way a missing PostgreSQL
 * fails the test: it is never skipped.
 */
public final class Postgres implements TestDatabase {

  private final Map<String, String> env;
  private final Path ownDir;

  private Postgres(Map<String, String> env, Path ownDir) {
    this.env = env;
    this.ownDir = ownDir;
  }

  /** The server CI passes in, else a throwaway one of this JVM's own. */
  public static Postgres start() {
    String url = System.getenv("COLONY_TEST_PG_URL");
    if (url != null && !url.isBlank()) {
      return new Postgres(Map.of(
          "COLONY_DB_URL", url,
          "COLONY_DB_USER", System.getenv().getOrDefault("COLONY_TEST_PG_USER", "postgres"),
          "COLONY_DB_PASSWORD", System.getenv().getOrDefault("COLONY_TEST_PG_PASSWORD", "")), null);
    }
    return startThrowaway();
  }

  /**
   * A fresh server of this JVM's own, deleted by {@link #close()}. .ci/postgres checks its port
   * with a connect, which misses a port that is taken meanwhile: up to three attempts, each in
   * a fresh folder.
   */
  public static Postgres startThrowaway() {
    for (int attempt = 1; ; attempt++) {
      Path dir = Path.of("/tmp", "colony-pg-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
      List<String> lines = script("start", dir);
      Map<String, String> env = new HashMap<>();
      for (String line : lines) {
        int eq = line.indexOf('=');
        if (line.startsWith("COLONY_DB_") && eq > 0) {
          env.put(line.substring(0, eq), line.substring(eq + 1).trim());
        }
      }
      if (env.containsKey("COLONY_DB_URL")) {
        return new Postgres(Map.copyOf(env), dir);
      }
      if (Files.exists(dir)) {
        script("stop", dir);
      }
      if (attempt >= 3 || !String.join("\n", lines).contains("Address already in use")) {
        throw new AssertionError("PostgreSQL did not start (it is required, never skipped): " + lines);
      }
    }
  }

  /** Runs .ci/postgres and answers its output; a failed start answers it too, for the caller to judge. */
  private static List<String> script(String command, Path dir) {
    Path home = Path.of(System.getProperty("colony.home", "..")).toAbsolutePath().normalize();
    try {
      Process process = new ProcessBuilder("bash", home.resolve(".ci/postgres").toString(), command, dir.toString())
          .redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(".ci/postgres " + command + " did not end within 120 s:\n" + output);
      }
      if (process.exitValue() != 0 && !command.equals("start")) {
        throw new AssertionError(".ci/postgres " + command + " failed:\n" + output);
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
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(env.get("COLONY_DB_URL"),
        env.getOrDefault("COLONY_DB_USER", "postgres"), env.getOrDefault("COLONY_DB_PASSWORD", ""));
  }

  /** The postmaster and its backends, when this JVM started the server. */
  @Override
  public List<ProcessHandle> processes() {
    if (ownDir == null) {
      return List.of();
    }
    try {
      long pid = Long.parseLong(Files.readAllLines(ownDir.resolve("data/postmaster.pid")).get(0).trim());
      return ProcessHandle.of(pid).map(pm -> Stream.concat(Stream.of(pm), pm.descendants()).toList()).orElse(List.of());
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  @Override
  public void close() {
    if (ownDir != null && Files.exists(ownDir)) {
      script("stop", ownDir);
    }
  }
}
