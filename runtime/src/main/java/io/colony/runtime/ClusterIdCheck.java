package io.colony.runtime;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;
import org.apache.pekko.cluster.ConfigValidation;
import org.apache.pekko.cluster.Invalid;
import org.apache.pekko.cluster.JoinConfigCompatChecker;
import org.apache.pekko.cluster.Valid;
import scala.jdk.javaapi.CollectionConverters;

/**
 * One cluster per journal database: Pekko's join-configuration check, run by the cluster for
 * every node that asks to join (and by the joining node on the cluster's answer), refuses a node
 * whose journal database holds another cluster id, or none. Registered under
 * {@code pekko.cluster.configuration-compatibility-check.checkers} (colony-defaults.conf); the
 * node puts its database's id (and, for the messages, which database it is) into its
 * configuration before the ActorSystem starts ({@link #joinConfig}).
 */
public final class ClusterIdCheck extends JoinConfigCompatChecker {

  /** The id of the cluster the node's journal database belongs to. */
  public static final String ID_KEY = "colony.cluster.id";
  /** The node's journal database, without credentials: only named in messages, never compared. */
  public static final String DATABASE_KEY = "colony.cluster.database";

  /** Pekko creates checkers by reflection, with no arguments. */
  public ClusterIdCheck() {}

  /** The configuration that tells the check which cluster this node's database belongs to. */
  public static Config joinConfig(String clusterId, String database) {
    return ConfigFactory.empty()
        .withValue(ID_KEY, ConfigValueFactory.fromAnyRef(clusterId))
        .withValue(DATABASE_KEY, ConfigValueFactory.fromAnyRef(database));
  }

  @Override
  public scala.collection.immutable.Seq<String> requiredKeys() {
    return CollectionConverters.asScala(List.of(ID_KEY, DATABASE_KEY)).toList();
  }

  /**
   * @param toCheck the other side's keys (the joining node's, on the cluster; the cluster's, on
   *     the joining node)
   * @param actualConfig this node's configuration
   */
  @Override
  public ConfigValidation check(Config toCheck, Config actualConfig) {
    String theirs = value(toCheck, ID_KEY);
    String ours = value(actualConfig, ID_KEY);
    if (theirs != null && theirs.equals(ours)) {
      return Valid.getInstance();
    }
    return new Invalid(CollectionConverters.asScala(List.of(
        "one cluster per journal database: the other node's database (" + describe(toCheck, theirs)
            + ") and this node's (" + describe(actualConfig, ours)
            + ") belong to different clusters; every node of a cluster must use the same COLONY_DB_URL")).toList());
  }

  private static String describe(Config config, String id) {
    String database = value(config, DATABASE_KEY);
    return (database == null ? "database unknown" : database)
        + ", cluster id " + (id == null ? "none" : id);
  }

  private static String value(Config config, String key) {
    return config.hasPath(key) ? config.getString(key) : null;
  }
}
