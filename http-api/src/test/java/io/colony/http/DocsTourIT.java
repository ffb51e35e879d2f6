package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.colony.http.DocsTour.Command;
import io.colony.http.DocsTour.CreateFile;
import io.colony.http.DocsTour.Expectation;
import io.colony.http.DocsTour.NotRun;
import io.colony.http.DocsTour.Step;
import io.colony.testkit.FreePorts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's tour (and its other runnable blocks) and docs/entities.md, run as written: every
 * command of their {@code bash} blocks, in document order, in one bash shell at the root of a fresh
 * copy of the repository, checked against the output the docs show ({@link DocsTour} reads the
 * conventions; the README's "The docs are tested" explains them). The copy builds itself, as a
 * fresh clone does ({@code bin/colony up} builds the jar when it is missing; the guide runs
 * {@code mvn install}). Ports are free ones ({@code COLONY_BASE_*_PORT}, {@code COLONY_DB_PORT};
 * the docs' default ports are replaced by them); data and run folders are the copy's own; Maven runs
 * offline against a throwaway local repository that links to the build's own for everything but
 * Colony's artifacts, so the docs' {@code mvn install} never writes to the shared repository.
 *
 * <p>It also checks what {@code bin/colony} does around the tour's cluster ({@code up} while one
 * runs starts nothing; {@code down} stops every node and the database; {@code status} then exits 1),
 * which {@code LauncherIT} no longer starts a cluster of its own for.
 */
@ExtendWith(LogCapturingExtension.class)
class DocsTourIT {

  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(600);
  private static final Duration EVENTUALLY = Duration.ofSeconds(30);
  private static final List<String> DOCUMENTS = List.of("README.md", "docs/entities.md");

  private final Path home = Path.of(System.getProperty("colony.home", "..")).toAbsolutePath().normalize();
  private Path work;
  private Path checkout;
  private Path repository;
  private Shell shell;

  @AfterEach
  void cleanUp() throws Exception {
    try {
      if (shell != null) {
        shell.run("bin/colony down", Duration.ofSeconds(120));
      }
    } catch (Throwable ignored) {
      // the processes are stopped by their pids below
    } finally {
      if (shell != null) {
        shell.close();
      }
      if (checkout != null) {
        killPidFiles(checkout.resolve(".colony"));
      }
      if (work != null) {
        deleteTree(work);
      }
    }
  }

  @Test
  void theReadmeAndTheEntityGuideRunAsWrittenOnAFreshCopy() throws Exception {
    work = Files.createTempDirectory("colony-docs-tour");
    checkout = work.resolve("colony");
    repository = work.resolve("m2");
    copyRepository(checkout);
    linkLocalRepository(repository);
    Files.createDirectories(checkout.resolve(".mvn"));
    Files.writeString(checkout.resolve(".mvn/maven.config"), "-o\n-Dmaven.repo.local=" + repository + "\n");

    Ports ports = new Ports(FreePorts.consecutive(3), FreePorts.consecutive(3));
    shell = Shell.start(checkout, Map.of(
        "COLONY_BASE_HTTP_PORT", String.valueOf(ports.http()),
        "COLONY_BASE_REMOTE_PORT", String.valueOf(ports.remote()),
        "COLONY_BASE_MANAGEMENT_PORT", String.valueOf(FreePorts.consecutive(3)),
        "COLONY_DB_PORT", String.valueOf(FreePorts.consecutive(1))), work.resolve("shell"));

    List<String> summary = new ArrayList<>();
    for (String document : DOCUMENTS) {
      List<Step> steps = DocsTour.parse(document, Files.readString(home.resolve(document)));
      int run = 0;
      int checked = 0;
      int files = 0;
      List<String> notRun = new ArrayList<>();
      for (Step step : steps) {
        if (step instanceof CreateFile file) {
          Path target = checkout.resolve(file.path()).normalize();
          assertTrue(target.startsWith(checkout), file + " stays inside the checkout");
          Files.createDirectories(target.getParent());
          Files.writeString(target, file.content());
          files++;
        } else if (step instanceof NotRun skipped) {
          assertFalse(skipped.reason().isBlank(), skipped + " says why");
          notRun.add(skipped.document() + ":" + skipped.line() + " (" + skipped.commands() + " commands: "
              + skipped.reason() + ")");
        } else if (step instanceof Command command) {
          checked += runAndCheck(command, ports);
          run++;
        }
      }
      assertTrue(run > 0, document + " has commands to run");
      summary.add(document + ": " + run + " commands run, " + checked + " outputs checked, " + files
          + " files created, " + notRun.size() + " blocks not run " + notRun);
    }
    summary.forEach(line -> System.out.println("[docs] " + line));

    launcherAroundTheTourCluster(ports);
  }

  /** What LauncherIT's up/status/down test checked that the docs do not show. */
  private void launcherAroundTheTourCluster(Ports ports) throws Exception {
    List<Long> pids = nodePids();
    assertEquals(3, pids.size(), "the docs leave three nodes running");
    Shell.Result again = shell.run("bin/colony up 3", COMMAND_TIMEOUT);
    assertEquals(0, again.exitCode(), again.output());
    assertTrue(again.output().contains("already running"), again.output());
    assertEquals(pids, nodePids(), "a second 'up' must not start other nodes");

    long h2 = Long.parseLong(Files.readString(checkout.resolve(".colony/h2.pid")).trim());
    Shell.Result down = shell.run("bin/colony down", COMMAND_TIMEOUT);
    assertEquals(0, down.exitCode(), down.output());
    for (long pid : pids) {
      assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "node " + pid + " still runs");
    }
    assertFalse(ProcessHandle.of(h2).map(ProcessHandle::isAlive).orElse(false), "the H2 server still runs");
    Shell.Result status = shell.run("bin/colony status", COMMAND_TIMEOUT);
    assertEquals(1, status.exitCode(), status.output());
  }

  private List<Long> nodePids() throws IOException {
    try (Stream<Path> files = Files.list(checkout.resolve(".colony"))) {
      List<Long> pids = new ArrayList<>();
      for (Path file : files.filter(f -> f.getFileName().toString().matches("node-\\d+\\.pid")).sorted().toList()) {
        pids.add(Long.parseLong(Files.readString(file).trim()));
      }
      return pids;
    }
  }

  /** Runs the command (again and again while an "eventually" expectation fails) and returns how many outputs it checked. */
  private int runAndCheck(Command command, Ports ports) throws Exception {
    String text = ports.replace(command.text());
    List<Expectation> expectations = command.expectations().stream()
        .map(e -> new Expectation(ports.replace(e.text()), e.eventually())).toList();
    long started = System.nanoTime();
    Shell.Result[] last = new Shell.Result[1];
    int[] retries = new int[1];
    Callable<Boolean> passes = () -> {
      if (last[0] != null && unavailable(last[0])) {
        retries[0]++;
      }
      last[0] = shell.run(text, COMMAND_TIMEOUT);
      return last[0].exitCode() == command.exitCode() && expectations.stream().allMatch(e -> e.matches(last[0].output()));
    };
    // One try, unless the output says to try again: an "eventually" read that does not match yet, or
    // a 503 "unavailable" (an overloaded machine) that the docs do not show; at most EVENTUALLY long.
    boolean unavailableIsExpected = expectations.stream().anyMatch(e -> e.text().contains(UNAVAILABLE));
    long deadline = System.nanoTime() + EVENTUALLY.toNanos();
    try {
      await().atMost(EVENTUALLY.plus(COMMAND_TIMEOUT)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
          .until(() -> passes.call() || System.nanoTime() > deadline
              || !command.eventually() && (unavailableIsExpected || !unavailable(last[0])));
    } catch (ConditionTimeoutException e) {
      fail(command.where() + ": no end within " + EVENTUALLY.plus(COMMAND_TIMEOUT) + ": " + text);
    }
    boolean passed = last[0].exitCode() == command.exitCode()
        && expectations.stream().allMatch(e -> e.matches(last[0].output()));
    Shell.Result result = last[0];
    if (retries[0] > 0) {
      System.out.println("[docs] " + command.where() + " answered 503 unavailable " + retries[0] + " time(s) before it passed or failed");
    }
    if (!passed) {
      List<String> unmet = expectations.stream().filter(e -> !e.matches(result.output())).map(Expectation::text).toList();
      fail(command.where() + ": " + text + "\n"
          + (result.exitCode() == command.exitCode() ? "" : "exit code " + result.exitCode() + ", expected " + command.exitCode() + "\n")
          + (unmet.isEmpty() ? "" : "output lacks " + unmet + "\n")
          + (command.eventually() ? "(repeated for " + EVENTUALLY.toSeconds() + " s)\n" : "")
          + "output:\n" + result.output());
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    if (seconds >= 5) {
      System.out.println("[docs] " + command.where() + " took " + seconds + " s: " + text.lines().findFirst().orElse(""));
    }
    return expectations.size();
  }

  /** The API's answer when a request could not be answered in time: the docs' reader retries it, so the test does. */
  private static final String UNAVAILABLE = "\"error\":\"unavailable\"";

  private static boolean unavailable(Shell.Result result) {
    return result.output().contains(UNAVAILABLE);
  }

  /** Free ports for the launcher, and the docs' default ports mapped to them. */
  private record Ports(int http, int remote) {
    private static final Pattern DEFAULT_PORT = Pattern.compile(":(808[0-2]|1735[5-7])\\b");

    String replace(String text) {
      return DEFAULT_PORT.matcher(text).replaceAll(port -> {
        int docs = Integer.parseInt(port.group(1));
        return ":" + (docs < 17355 ? http + docs - 8080 : remote + docs - 17355);
      });
    }
  }

  /** What a fresh clone holds: the files git tracks (as they are in the working tree) and new ones it does not ignore. */
  private void copyRepository(Path target) throws Exception {
    Process git = new ProcessBuilder("git", "-C", home.toString(), "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String listing = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(git.waitFor(60, TimeUnit.SECONDS) && git.exitValue() == 0, "git ls-files");
    for (String name : listing.split("\0")) {
      Path source = home.resolve(name);
      if (name.isEmpty() || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
        continue; // deleted in the working tree
      }
      Path copy = target.resolve(name);
      Files.createDirectories(copy.getParent());
      Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  /**
   * A local Maven repository of symbolic links into the build's own (failsafe passes its path),
   * except for Colony's artifacts ({@code io/colony}), which the docs' build installs here.
   */
  private static void linkLocalRepository(Path target) throws IOException {
    Path shared = Path.of(System.getProperty("colony.m2", System.getProperty("user.home") + "/.m2/repository"));
    Files.createDirectories(target.resolve("io"));
    try (Stream<Path> top = Files.list(shared)) {
      for (Path entry : top.toList()) {
        if (!entry.getFileName().toString().equals("io")) {
          Files.createSymbolicLink(target.resolve(entry.getFileName().toString()), entry);
        }
      }
    }
    Path io = shared.resolve("io");
    if (Files.isDirectory(io)) {
      try (Stream<Path> groups = Files.list(io)) {
        for (Path entry : groups.toList()) {
          if (!entry.getFileName().toString().equals("colony")) {
            Files.createSymbolicLink(target.resolve("io").resolve(entry.getFileName().toString()), entry);
          }
        }
      }
    }
  }

  /** Stops what a failed run may have left: the processes whose pids bin/colony wrote, by pid. */
  private static void killPidFiles(Path runDir) throws IOException {
    if (!Files.isDirectory(runDir)) {
      return;
    }
    try (Stream<Path> files = Files.list(runDir)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
        try {
          ProcessHandle.of(Long.parseLong(Files.readString(file).trim())).ifPresent(ProcessHandle::destroyForcibly);
        } catch (NumberFormatException e) {
          // not a pid file of ours
        }
      }
    }
  }

  /** Deletes a folder without following links (the Maven repository's links point into the shared one). */
  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** One bash process, like a reader's terminal: variables and background jobs carry over between commands. */
  private static final class Shell implements AutoCloseable {

    record Result(int exitCode, String output) {}

    private static final String DONE = "__colony_docs_done ";
    private final Process process;
    private final Writer input;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Path outputs;
    private int count;

    private Shell(Process process, Path outputs) {
      this.process = process;
      this.outputs = outputs;
      this.input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = out.readLine(); line != null; line = out.readLine()) {
            lines.add(line);
          }
        } catch (IOException e) {
          // the shell ended
        }
      }, "docs-shell-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Shell start(Path dir, Map<String, String> env, Path outputs) throws IOException {
      Files.createDirectories(outputs);
      ProcessBuilder builder = new ProcessBuilder("bash", "--noprofile", "--norc").directory(dir.toFile())
          .redirectErrorStream(true);
      builder.environment().keySet().removeIf(name -> name.startsWith("COLONY_") || name.startsWith("MAVEN_"));
      builder.environment().putAll(env);
      return new Shell(builder.start(), outputs);
    }

    /** Runs one command with its output in a file of its own (so background jobs never block the shell) and stdin from /dev/null. */
    Result run(String command, Duration timeout) throws Exception {
      Path output = outputs.resolve("command-" + (++count) + ".out");
      input.write("{ " + command + "\n} > '" + output + "' 2>&1 < /dev/null\necho \"" + DONE + "$?\"\n");
      input.flush();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null) {
          throw new AssertionError("no end within " + timeout + ": " + command + "\noutput so far:\n" + read(output));
        }
        if (line.startsWith(DONE)) {
          return new Result(Integer.parseInt(line.substring(DONE.length()).trim()), read(output));
        }
      }
    }

    private static String read(Path file) throws IOException {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** Ends the shell and its background jobs (e.g. the tour's {@code curl -N} of the event stream), by pid. */
    @Override
    public void close() throws Exception {
      List<ProcessHandle> children = process.descendants().toList();
      children.forEach(ProcessHandle::destroy);
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
