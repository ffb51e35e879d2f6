package io.colony.runtime.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Mutual TLS between nodes: Artery over {@code tls-tcp} with Pekko's rotating-keys SSL engine,
 * which trusts only peers whose certificate the cluster's CA signed and that share a subject
 * name with this node's certificate, and re-reads the PEM files every reload interval.
 */
public final class ArteryTls {

  public static final String KEY_FILE = "node.key";
  public static final String CERT_FILE = "node.crt";
  public static final String CA_FILE = "ca.crt";

  private static final String ENGINE = "org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider";

  private ArteryTls() {}

  /**
   * The Artery settings for the key and certificates in {@code dir}.
   *
   * @throws IllegalArgumentException when a file is missing or unreadable (an invalid setting:
   *     without it the node would only fail its first connection, much later)
   */
  public static Config artery(Path dir, Duration reloadInterval) {
    Path folder = dir.toAbsolutePath().normalize();
    for (String name : new String[] {KEY_FILE, CERT_FILE, CA_FILE}) {
      Path file = folder.resolve(name);
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException("COLONY_TLS_DIR: " + file + " is missing or unreadable; the folder needs "
            + KEY_FILE + ", " + CERT_FILE + " and " + CA_FILE + " (bin/colony certs makes them)");
      }
    }
    return ConfigFactory.parseMap(Map.of(
        "pekko.remote.artery.transport", "tls-tcp",
        "pekko.remote.artery.ssl.ssl-engine-provider", ENGINE,
        "pekko.remote.artery.ssl.rotating-keys-engine.key-file", folder.resolve(KEY_FILE).toString(),
        "pekko.remote.artery.ssl.rotating-keys-engine.cert-file", folder.resolve(CERT_FILE).toString(),
        "pekko.remote.artery.ssl.rotating-keys-engine.ca-cert-file", folder.resolve(CA_FILE).toString(),
        "pekko.remote.artery.ssl.rotating-keys-engine.ssl-context-cache-ttl", reloadInterval.toMillis() + "ms"));
  }
}
