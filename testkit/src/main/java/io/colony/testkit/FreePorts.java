package io.colony.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports nobody listens on, for nodes, databases and launchers that tests and benchmarks start.
 *
 * <p>They come from below the kernel's ephemeral range ({@code ip_local_port_range}): a port in
 * that range can be taken by any outgoing connection between the check and the bind. A port is
 * handed out only when it binds on every interface and its lock file (one per port in
 * {@code colony-ports} under the temp folder) can be locked; the lock is held until this JVM
 * exits, so concurrent test and benchmark JVMs never hand out the same port.
 */
public final class FreePorts {

  /** Ports taken from the range below the ephemeral one; a dozen concurrent runs fit easily. */
  private static final int SPAN = 12_000;
  private static final Path LOCKS = Path.of(System.getProperty("java.io.tmpdir"), "colony-ports");
  /** Held for the JVM's life; closing a channel would release its lock. */
  private static final Map<Integer, FileChannel> HELD = new ConcurrentHashMap<>();

  private FreePorts() {}

  /** One free port. */
  public static int next() {
    return consecutive(1);
  }

  /** {@code n} free ports in a row, for the launcher, which numbers its nodes' ports from a base. */
  public static synchronized int consecutive(int n) {
    int high = ephemeralLow();
    int low = Math.max(1024, high - SPAN);
    for (int attempt = 0; attempt < 500; attempt++) {
      int base = low + ThreadLocalRandom.current().nextInt(high - low - n + 1);
      List<Integer> locked = new ArrayList<>();
      boolean all = true;
      for (int port = base; port < base + n && all; port++) {
        all = lock(port);
        if (all) {
          locked.add(port);
          all = bindable(port);
        }
      }
      if (all) {
        return base;
      }
      locked.forEach(FreePorts::release);
    }
    throw new IllegalStateException("no " + n + " consecutive free ports found from " + low + " to " + (high - 1));
  }

  /** The first port of the ephemeral range, 32768 where /proc does not say. */
  static int ephemeralLow() {
    try {
      // Line by line: Files.readString of a /proc file can answer only its first byte.
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > 2048 ? low : 32768;
    } catch (IOException | RuntimeException notLinux) {
      return 32768;
    }
  }

  private static boolean bindable(int port) {
    // The wildcard address: it fails when anything listens on the port on any interface (H2 binds them all).
    try (ServerSocket socket = new ServerSocket(port, 1, (InetAddress) null)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean lock(int port) {
    if (HELD.containsKey(port)) {
      return false;
    }
    try {
      Files.createDirectories(LOCKS);
      FileChannel channel = FileChannel.open(LOCKS.resolve(port + ".lock"),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        channel.close();
        return false;
      }
      HELD.put(port, channel);
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock a port under " + LOCKS, e);
    }
  }

  private static void release(int port) {
    FileChannel channel = HELD.remove(port);
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the lock goes with the channel either way
      }
    }
  }
}
