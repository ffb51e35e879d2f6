package io.colony.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.colony.persistence.JournalDatabase;
import io.colony.runtime.tls.ArteryTls;
import java.io.File;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a node's configuration. Precedence, highest first: JVM system properties, the
 * derived settings (seed nodes, bootstrap endpoints, journal database), the configuration file
 * ({@code COLONY_CONFIG} or {@code -Dconfig.file}, else {@code application.conf}), the
 * chosen timing profile ({@code colony.profiles.<COLONY_PROFILE>}), Colony's settings for
 * Pekko ({@code colony-defaults.conf} of every module), and every jar's {@code reference.conf}. {@code ${?COLONY_*}} substitutions read the given environment.
 */
public final class NodeConfig {

  public static final String SYSTEM_NAME = "colony";
  static final String DEFAULTS_RESOURCE = "colony-defaults.conf";
  static final String AUTO_PROFILE = "auto";

  private NodeConfig() {}

  public static Config load(Map<String, String> env) {
    Config sysProps = ConfigFactory.systemProperties();
    Config file = configFile(env);
    Config reference =
        ConfigFactory.parseResources(DEFAULTS_RESOURCE).withFallback(ConfigFactory.defaultReferenceUnresolved());
    Config environment = environment(env);

    // A first pass only to learn which profile was asked for.
    Config withoutProfile = resolve(environment, sysProps.withFallback(file).withFallback(reference));
    String profile = profileFor(withoutProfile);
    if (!withoutProfile.hasPath("colony.profiles." + profile)) {
      throw new IllegalArgumentException(
          "COLONY_PROFILE: unknown profile '" + profile + "'; known: "
              + withoutProfile.getConfig("colony.profiles").root().keySet());
    }
    Config profileSection = withoutProfile.getConfig("colony.profiles." + profile);
    Config layered =
        resolve(environment, sysProps.withFallback(file).withFallback(profileSection).withFallback(reference));
    NodeSettings settings = NodeSettings.from(layered);
    Config derived = derived(settings)
        .withFallback(JournalDatabase.from(layered, settings.dataDir()).pluginConfig());
    if (settings.usesTls()) {
      derived = derived.withFallback(ArteryTls.artery(Path.of(settings.tlsDir()),
          layered.getDuration("colony.node.tls.reload-interval")));
    }
    return sysProps.withFallback(derived).withFallback(layered).resolve()
        .withValue("colony.node.profile", ConfigValueFactory.fromAnyRef(profile)); // auto, resolved
  }

  /** The profile asked for; {@code auto} is local on loopback and production beyond it. */
  private static String profileFor(Config config) {
    String profile = config.getString("colony.node.profile");
    if (!AUTO_PROFILE.equals(profile)) {
      return profile;
    }
    return NodeSettings.isLoopback(config.getString("colony.node.host")) ? "local" : "production";
  }

  /** The settings that are computed from others rather than written by hand. */
  static Config derived(NodeSettings node) {
    Map<String, Object> values = new HashMap<>();
    if (!node.seedNodes().isEmpty()) {
      values.put(
          "pekko.cluster.seed-nodes",
          node.seedNodes().stream()
              .map(s -> "pekko://" + SYSTEM_NAME + "@" + s.host() + ":" + s.port())
              .toList());
    }
    List<NodeSettings.HostPort> endpoints = node.bootstrapEndpoints();
    if (!endpoints.isEmpty()) {
      values.put(
          "pekko.discovery.config.services.colony.endpoints",
          endpoints.stream().map(e -> Map.of("host", e.host(), "port", e.port())).toList());
    }
    Config derived = ConfigFactory.parseMap(values);
    return derived.withValue(
        "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr",
        ConfigValueFactory.fromAnyRef(requiredContactPoints(node, endpoints)));
  }

  private static int requiredContactPoints(NodeSettings node, List<NodeSettings.HostPort> endpoints) {
    // 0 means "choose for me": every listed endpoint for config discovery, else 2.
    return node.requiredContactPoints() > 0
        ? node.requiredContactPoints()
        : ("config".equals(node.discovery()) && !endpoints.isEmpty() ? endpoints.size() : 2);
  }

  private static Config configFile(Map<String, String> env) {
    String path = env.get("COLONY_CONFIG");
    if (path != null && !path.isBlank()) {
      File file = new File(path);
      if (!file.isFile()) {
        throw new IllegalArgumentException("COLONY_CONFIG: no such file " + file.getAbsolutePath());
      }
      return ConfigFactory.parseFile(file);
    }
    return ConfigFactory.defaultApplication();
  }

  /** COLONY_* variables as root-level keys, so {@code ${?COLONY_X}} finds them. */
  private static Config environment(Map<String, String> env) {
    Map<String, String> colony = new HashMap<>();
    env.forEach((k, v) -> {
      if (k.startsWith("COLONY_")) {
        colony.put(k, v);
      }
    });
    return ConfigFactory.parseMap(colony);
  }

  private static Config resolve(Config environment, Config unresolved) {
    Config resolved = environment.withFallback(unresolved).resolve();
    for (String key : environment.root().keySet()) {
      resolved = resolved.withoutPath(key);
    }
    return resolved;
  }
}
