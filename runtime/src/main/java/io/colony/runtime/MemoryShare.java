package io.colony.runtime;

import com.typesafe.config.Config;

/** A memory bound from configuration: a byte size ("32 MiB") or a share of the JVM's heap ("20%"). */
public final class MemoryShare {

  private MemoryShare() {}

  public static long bytes(Config config, String path) {
    return bytes(config, path, Runtime.getRuntime().maxMemory());
  }

  static long bytes(Config config, String path, long maxHeapBytes) {
    String text = config.getString(path).trim();
    if (text.endsWith("%")) {
      double percent = Double.parseDouble(text.substring(0, text.length() - 1).trim());
      if (percent <= 0 || percent > 100) {
        throw new IllegalArgumentException(path + " must be a share of the heap from 0% to 100%, not " + text);
      }
      return (long) (maxHeapBytes * percent / 100);
    }
    return config.getBytes(path);
  }
}
