package io.colony.http.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
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

  public static H2Server start(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      int port = FreePorts.next();
      Process process = new ProcessBuilder(List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
              "-cp", NodeProcess.jar().toString(), "org.h2.tools.Server",
              "-tcp", "-tcpPort", String.valueOf(port), "-ifNotExists", "-baseDir", dataDir.toString()))
          .redirectErrorStream(true)
          .redirectOutput(dataDir.resolve("h2.log").toFile())
          .start();
      H2Server server = new H2Server(process, port);
      org.awaitility.Awaitility.await("H2 listening").atMost(java.time.Duration.ofSeconds(30)).until(server::listening);
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

  @Override
  public Map<String, String> env() {
    return Map.of("COLONY_DB_URL", "jdbc:h2:tcp://127.0.0.1:" + port + "/colony");
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
