package io.colony.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Colony node as a real OS process ({@code java -jar colony-node.jar}, or
 * {@code java -cp colony-node.jar:<extra> io.colony.http.Main} with extra classpath entries)
 * with its own log file.
 */
public final class NodeProcess implements AutoCloseable {

  private final String name;
  private final Path log;
  private final int httpPort;
  private final int remotePort;
  private final Process process;

  private NodeProcess(String name, Path log, int httpPort, int remotePort, Process process) {
    this.name = name;
    this.log = log;
    this.httpPort = httpPort;
    this.remotePort = remotePort;
    this.process = process;
  }

  /** The fat jar built by {@code mvn package}; Failsafe passes its path in {@code colony.jar}. */
  public static Path jar() {
    return Path.of(System.getProperty("colony.jar", "target/colony-node.jar")).toAbsolutePath();
  }

  /**
   * Where the samples' classes are for this test run (samples/target/colony-samples.jar or
   * samples/target/classes): a classpath entry that gives a node the sample entity types.
   */
  public static String samplesClasspath() {
    try {
      return Path.of(Class.forName("io.colony.samples.counter.CounterType")
          .getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (ClassNotFoundException | java.net.URISyntaxException e) {
      throw new IllegalStateException("colony-samples is not on the test classpath", e);
    }
  }

  /** JVM options of a node unless the caller names its own: a small heap, collected without extra threads. */
  public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC");

  public static NodeProcess start(String name, Path logDir, int httpPort, int remotePort, Map<String, String> env) {
    return start(name, logDir, httpPort, remotePort, env, List.of());
  }

  /** As {@link #start(String, Path, int, int, Map)}, with jars, folders or {@code dir/*} after the node jar on the classpath. */
  public static NodeProcess start(String name, Path logDir, int httpPort, int remotePort, Map<String, String> env,
      List<String> extraClasspath) {
    return start(name, logDir, httpPort, remotePort, env, extraClasspath, DEFAULT_JVM_OPTIONS);
  }

  /**
   * Starts {@code java <jvmOptions> -jar colony-node.jar} with only the given COLONY_* variables
   * (none of this JVM's own); the output is appended to {@code logDir/<name>.log}, so a node
   * started again under the same name keeps one log.
   */
  public static NodeProcess start(String name, Path logDir, int httpPort, int remotePort, Map<String, String> env,
      List<String> extraClasspath, List<String> jvmOptions) {
    try {
      Files.createDirectories(logDir);
      Path log = logDir.resolve(name + ".log");
      List<String> command = new java.util.ArrayList<>();
      command.add(javaBinary());
      command.addAll(jvmOptions);
      if (extraClasspath.isEmpty()) {
        command.addAll(List.of("-jar", jar().toString()));
      } else {
        String classpath = jar() + java.io.File.pathSeparator + String.join(java.io.File.pathSeparator, extraClasspath);
        command.addAll(List.of("-cp", classpath, "io.colony.http.Main"));
      }
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().keySet().removeIf(k -> k.startsWith("COLONY_"));
      // A node without its own data folder would open the default ./data H2 file, which one process locks.
      builder.environment().put("COLONY_DATA_DIR", logDir.resolve(name + "-data").toAbsolutePath().toString());
      builder.environment().putAll(env);
      builder.environment().put("COLONY_HTTP_PORT", String.valueOf(httpPort));
      builder.environment().put("COLONY_REMOTE_PORT", String.valueOf(remotePort));
      builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      return new NodeProcess(name, log, httpPort, remotePort, builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public String name() {
    return name;
  }

  public String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  /** This node's cluster address as pekko-management prints it. */
  public String address() {
    return "pekko://colony@127.0.0.1:" + remotePort;
  }

  public int remotePort() {
    return remotePort;
  }

  public int httpPort() {
    return httpPort;
  }

  public long pid() {
    return process.pid();
  }

  /** The CPU time the process has used so far. */
  public Duration cpuTime() {
    return process.info().totalCpuDuration().orElse(Duration.ZERO);
  }

  public ProcessHandle handle() {
    return process.toHandle();
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** kill -9: no shutdown hook, no leaving; the cluster must notice on its own. */
  public void kill() {
    process.destroyForcibly();
    waitForExit(Duration.ofSeconds(10));
  }

  /** SIGTERM, as an orchestrator stops a node. */
  public void terminate() {
    process.destroy();
  }

  public int waitForExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(name + " did not exit within " + timeout + "\n" + logTail());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * SIGTERM, then kill -9 if it has not exited within {@code grace}: a stop that always ends.
   * Answers whether it stopped by itself.
   */
  public boolean stop(Duration grace) {
    process.destroy();
    try {
      if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      return false;
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The WARN and ERROR lines of its log so far. */
  public List<String> warningsAndErrors() {
    try (java.util.stream.Stream<String> lines = Files.lines(log)) {
      return lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR ")).toList();
    } catch (IOException | java.io.UncheckedIOException e) {
      return List.of("log unreadable: " + e.getMessage());
    }
  }

  public String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return "--- last lines of " + log + " ---\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
