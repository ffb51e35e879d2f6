package io.colony.bench;

import static io.colony.bench.BenchSupport.round;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A JVM's heap right after a full GC, read from outside with jcmd: used and committed bytes of all its generations. */
record HeapReading(long pid, long usedBytes, long committedBytes) {

  private static final Pattern HEAP_LINE = Pattern.compile("total (\\d+)K, used (\\d+)K");

  /** The JDK's jcmd next to the java running this (the nodes run the same java), else the one on the PATH. */
  private static final String JCMD = Files.isExecutable(Path.of(System.getProperty("java.home"), "bin", "jcmd"))
      ? Path.of(System.getProperty("java.home"), "bin", "jcmd").toString() : "jcmd";

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pid", pid);
    m.put("usedMB", round(usedBytes / 1048576.0, 1));
    m.put("committedMB", round(committedBytes / 1048576.0, 1));
    return m;
  }

  /**
   * {@code jcmd <pid> GC.run} (a full GC, as System.gc()), then {@code jcmd <pid> GC.heap_info};
   * adds up the "total …K, used …K" lines above Metaspace: one for G1 ("garbage-first heap"),
   * one per generation for the serial and parallel collectors.
   */
  static HeapReading afterFullGc(long pid) throws Exception {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    int metaspace = info.indexOf("Metaspace");
    Matcher m = HEAP_LINE.matcher(metaspace < 0 ? info : info.substring(0, metaspace));
    long used = 0;
    long committed = 0;
    boolean found = false;
    while (m.find()) {
      committed += Long.parseLong(m.group(1)) * 1024;
      used += Long.parseLong(m.group(2)) * 1024;
      found = true;
    }
    if (!found) {
      throw new IllegalStateException("jcmd " + pid + " GC.heap_info printed no heap line: " + info);
    }
    return new HeapReading(pid, used, committed);
  }

  /** Runs one jcmd command against a JVM (at most 60 s) and answers its output. */
  private static String jcmd(long pid, String command) throws Exception {
    Path out = Files.createTempFile("colony-bench-jcmd", ".txt");
    try {
      Process p = new ProcessBuilder(JCMD, String.valueOf(pid), command).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("jcmd " + pid + " " + command + " did not end within 60 s");
      }
      String text = Files.readString(out);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("jcmd " + pid + " " + command + " exited with " + p.exitValue() + ": " + text);
      }
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
