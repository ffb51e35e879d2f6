package io.colony.http;

import com.typesafe.config.Config;
import io.colony.runtime.NodeSettings;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Safe by default: a node that listens beyond loopback ({@code COLONY_HOST} other than
 * 127.0.0.1, localhost or ::1) must have API tokens and mutual TLS between nodes, unless
 * {@code COLONY_INSECURE=true} says the operator accepts an open node (then it starts and logs
 * a warning). Local clusters on loopback need neither.
 */
public final class StartupSafety {

  private static final Logger log = LoggerFactory.getLogger(StartupSafety.class);

  /** A node that would start exposed; {@link Main} exits with its own code. */
  public static final class UnsafeStartException extends RuntimeException {
    public UnsafeStartException(String message) {
      super(message);
    }
  }

  private StartupSafety() {}

  /**
   * @throws UnsafeStartException when the node would listen beyond loopback without protection
   *     and {@code colony.node.insecure} is off
   */
  public static void check(Config config, ApiCredentials tokens) {
    String host = config.getString("colony.node.host");
    if (NodeSettings.isLoopback(host)) {
      return;
    }
    List<String> problems = new ArrayList<>();
    if (!tokens.enabled()) {
      problems.add("its HTTP API without API tokens (COLONY_API_TOKENS_FILE or COLONY_API_JWKS_FILE)");
    }
    if (config.getString("colony.node.tls.dir").isBlank()) {
      problems.add("its cluster port (Artery) without mutual TLS (COLONY_TLS_DIR)");
    }
    if (problems.isEmpty()) {
      return;
    }
    String problem = "This node would listen on " + host + ", beyond loopback, with " + String.join(" and ", problems);
    if (config.getBoolean("colony.node.insecure")) {
      log.warn("{}; starting anyway because COLONY_INSECURE=true: anyone who can reach this node may read, "
          + "change and delete everything", problem);
      return;
    }
    throw new UnsafeStartException(problem + ". Set what is missing (see the README's Security section), "
        + "bind to 127.0.0.1, or set COLONY_INSECURE=true to accept an open node.");
  }
}
