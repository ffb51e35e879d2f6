package io.colony.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** H2's own TCP server in a process of its own, as bin/colony starts it for a local cluster. */
public final class H2Server implements TestDatabase {

  private final Process process;
  private final int port;

  private H2Server(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts a server (databases in {@code dataDir}, its output in {@code dataDir/h2.log}) and waits until it listens. */
  public static H2Server start(Path dataDir) {
    Path log = dataDir.resolve("h2.log");
    try {
      Files.createDirectories(dataDir);
      int port = FreePorts.next();
      Process process = new ProcessBuilder(List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
              "-cp", NodeProcess.jar().toString(), "org.h2.tools.Server",
              "-tcp", "-tcpPort", String.valueOf(port), "-ifNotExists", "-baseDir", dataDir.toString()))
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      H2Server server = new H2Server(process, port);
      await("H2 listening on " + port).atMost(Duration.ofSeconds(30)).until(() -> {
        if (!process.isAlive()) {
          throw new IllegalStateException("the H2 server exited: " + Files.readString(log));
        }
        return server.listening();
      });
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean listening() {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The server's CPU time so far (for tests that measure what else a start costs). */
  public java.time.Duration cpuTime() {
    return process.info().totalCpuDuration().orElse(java.time.Duration.ZERO);
  }

  public String url() {
    return url("colony");
  }

  /** Another database of the same server (created on first use), e.g. for a node of another cluster. */
  public String url(String database) {
    return "jdbc:h2:tcp://127.0.0.1:" + port + "/" + database;
  }

  @Override
  public Map<String, String> env() {
    return Map.of("COLONY_DB_URL", url());
  }

  @Override
  public Connection connect() throws SQLException {
    // The nodes add DATABASE_TO_UPPER=false themselves; the caller's connections need the same.
    return DriverManager.getConnection(url() + ";DATABASE_TO_UPPER=false", "sa", "");
  }

  @Override
  public List<ProcessHandle> processes() {
    return process.isAlive() ? List.of(process.toHandle()) : List.of();
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
