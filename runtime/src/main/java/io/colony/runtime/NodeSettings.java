package io.colony.runtime;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The resolved {@code colony.node} section: how this node is addressed and how it joins. */
public record NodeSettings(
    String host,
    int httpPort,
    int remotePort,
    int managementPort,
    List<HostPort> seedNodes,
    String discovery,
    List<HostPort> bootstrapEndpoints,
    int requiredContactPoints,
    String profile,
    String dataDir,
    String tlsDir) {

  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

  public static NodeSettings from(Config config) {
    Config node = config.getConfig("colony.node");
    return new NodeSettings(
        node.getString("host"),
        node.getInt("http-port"),
        node.getInt("remote-port"),
        node.getInt("management-port"),
        HostPort.parseList(node.getString("seed-nodes"), "COLONY_SEED_NODES"),
        node.getString("discovery"),
        HostPort.parseList(node.getString("bootstrap-endpoints"), "COLONY_BOOTSTRAP_ENDPOINTS"),
        node.getInt("required-contact-points"),
        node.getString("profile"),
        node.getString("data-dir"),
        node.getString("tls.dir").strip());
  }

  /** Artery runs mutual TLS with the key and certificates in {@link #tlsDir}. */
  public boolean usesTls() {
    return !tlsDir.isEmpty();
  }

  /** Whether {@code host} is this machine only (127.0.0.1, localhost or ::1), not a network. */
  public static boolean isLoopback(String host) {
    return LOOPBACK.contains(host.strip().toLowerCase(Locale.ROOT));
  }

  /** With no seed nodes the node forms or joins its cluster through Cluster Bootstrap. */
  public boolean usesClusterBootstrap() {
    return seedNodes.isEmpty();
  }

  /** A {@code host:port} pair as written in the COLONY_* variables. */
  public record HostPort(String host, int port) {

    static List<HostPort> parseList(String commaSeparated, String variable) {
      return Arrays.stream(commaSeparated.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .map(s -> parse(s, variable))
          .toList();
    }

    static HostPort parse(String hostPort, String variable) {
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0 || colon == hostPort.length() - 1) {
        throw new IllegalArgumentException(
            variable + ": '" + hostPort + "' is not of the form host:port");
      }
      String portText = hostPort.substring(colon + 1);
      try {
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
          throw new NumberFormatException();
        }
        return new HostPort(hostPort.substring(0, colon), port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            variable + ": '" + portText + "' in '" + hostPort + "' is not a port number", e);
      }
    }
  }
}
