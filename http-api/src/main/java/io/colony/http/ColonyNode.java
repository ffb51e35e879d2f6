package io.colony.http;

import com.typesafe.config.Config;
import io.colony.http.metrics.NodeMetrics;
import io.colony.http.metrics.ShardingMetrics;
import io.colony.http.metrics.TaskMetrics;
import io.colony.persistence.ClusterIdentity;
import io.colony.persistence.JournalDatabase;
import io.colony.persistence.JournalHealth;
import io.colony.persistence.JournalSchema;
import io.colony.runtime.ClusterIdCheck;
import io.colony.runtime.ClusterJoin;
import io.colony.runtime.NodeConfig;
import io.colony.runtime.NodeSettings;
import io.colony.tasks.Tasks;
import io.colony.sharding.entities.EntityRegistry;
import io.colony.sharding.entities.UserEntities;
import io.colony.sharding.listing.IdListing;
import io.colony.sharding.kv.KeyValueStore;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running node: its ActorSystem, its cluster membership, its entities and its HTTP API. */
public final class ColonyNode {

  private static final Logger log = LoggerFactory.getLogger(ColonyNode.class);

  private final ActorSystem<Void> system;
  private final CompletionStage<ServerBinding> binding;

  private ColonyNode(ActorSystem<Void> system, CompletionStage<ServerBinding> binding) {
    this.system = system;
    this.binding = binding;
  }

  /**
   * Starts a node from a fully loaded configuration (see {@link NodeConfig#load}). Blocks until
   * the journal database answers and has its schema.
   *
   * @throws IllegalArgumentException when the tokens file is malformed
   * @throws StartupSafety.UnsafeStartException when the node would listen beyond loopback unprotected
   * @throws IllegalStateException when the journal database cannot be used, or an entity type
   *     on the classpath is broken; the ActorSystem is terminated by then
   */
  public static ColonyNode start(Config config) {
    NodeSettings settings = NodeSettings.from(config);
    ApiCredentials tokens = ApiCredentials.either(
        ApiTokens.fromSetting(config.getString("colony.http.api-tokens-file")), JwtVerifier.fromSettings(config));
    StartupSafety.check(config, tokens);
    JournalDatabase database = JournalDatabase.from(config, settings.dataDir());
    EntityRegistry entityTypes = EntityRegistry.load(ColonyNode.class.getClassLoader());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME,
        withClusterId(config, database));
    ClusterJoin.explainRefusal(system);
    try {
      return startOn(system, config, settings, database, entityTypes, tokens);
    } catch (RuntimeException e) {
      if (ClusterJoin.wasRefused(system)) {
        // The cluster's answer came while this node was still starting: its shutdown makes
        // creating anything fail, but the cause to report is the refusal.
        throw new ClusterJoin.RefusedException(e);
      }
      throw e;
    }
  }

  private static ColonyNode startOn(ActorSystem<Void> system, Config config, NodeSettings settings,
      JournalDatabase database, EntityRegistry entityTypes, ApiCredentials tokens) {
    JournalHealth health;
    try {
      JournalSchema.ensure(system, database, config.getDuration("colony.persistence.db.startup-timeout"));
      health = startHealth(config, database);
    } catch (IllegalStateException e) {
      if (JournalHealth.classify(e) != JournalHealth.Condition.DAMAGED) {
        system.terminate();
        throw e;
      }
      // A damaged database is reported (not ready, with the reason), not looped on by restarts.
      health = startHealth(config, database);
    }
    DamageLogFilter.install(health);
    JournalHealth watched = health;
    system.getWhenTerminated().whenComplete((done, failure) -> watched.close());
    // Before the join, so that the history holds the node's own joining too.
    ActorRef<MembershipFeed.Command> membership = startMembershipFeed(system, config);
    ClusterJoin.start(system, settings);
    if (health.current().condition() == JournalHealth.Condition.DAMAGED) {
      // Read sides cannot even create their tables: serve health (503 with the reason) and a
      // JSON 503 for everything else, until an operator repairs the database and restarts.
      return new ColonyNode(system, HttpServer.start(system, settings.host(), settings.httpPort(),
          ApiRoutes.whileDamaged(system, health, tokens, membership, NodeMetrics.start(system, health, List.of()))));
    }
    KeyValueStore store = KeyValueStore.init(system, config.getDuration("colony.http.ask-timeout"));
    Tasks tasks = Tasks.start(system, config.getDuration("colony.http.ask-timeout"));
    UserEntities entities = UserEntities.init(system, entityTypes, config.getDuration("colony.http.ask-timeout"));
    IdListing listing = IdListing.start(system, !entityTypes.names().isEmpty());
    NodeMetrics metrics = NodeMetrics.start(system, health, List.of(new TaskMetrics(tasks::localWorker),
        new ShardingMetrics(system, ApiRoutes.shardedTypes(entities), config.getDuration("colony.http.ask-timeout"))));
    CompletionStage<ServerBinding> binding = HttpServer.start(system, settings.host(), settings.httpPort(),
        new ApiRoutes(system, store, listing, tasks, entities, health, tokens, membership, metrics).routes());
    return new ColonyNode(system, binding);
  }

  /**
   * Adds the id of the cluster the journal database belongs to (created on an empty database),
   * which the join check compares: a node cannot join a cluster that another database belongs to.
   * A damaged database has no readable id: the node starts without one (and so can join no
   * cluster that has one) and reports the damage.
   *
   * @throws IllegalStateException when the database cannot be reached in time
   */
  private static Config withClusterId(Config config, JournalDatabase database) {
    try {
      String id = ClusterIdentity.ensure(database, config.getDuration("colony.persistence.db.startup-timeout"),
          config.getDuration("colony.persistence.db.startup-retry-pause"));
      log.info("The journal database {} belongs to cluster {}", database.describe(), id);
      return ClusterIdCheck.joinConfig(id, database.describe()).withFallback(config);
    } catch (IllegalStateException e) {
      if (JournalHealth.classify(e) != JournalHealth.Condition.DAMAGED) {
        throw e;
      }
      log.warn("No cluster id can be read from the damaged journal database {}", database.describe());
      return config;
    }
  }

  /**
   * The node's numbered membership changes for {@code /v1/cluster/events}. Ids start at the start
   * time in microseconds: above every id this node gave out before a restart, so that such an id
   * is told apart (a reset) rather than taken for one of this life's.
   */
  private static ActorRef<MembershipFeed.Command> startMembershipFeed(ActorSystem<Void> system, Config config) {
    long firstId = System.currentTimeMillis() * 1000;
    return system.systemActorOf(MembershipFeed.create(config.getInt("colony.http.events.history"), firstId),
        "membership-feed", Props.empty());
  }

  private static JournalHealth startHealth(Config config, JournalDatabase database) {
    return JournalHealth.start(database, config.getDuration("colony.persistence.db.health-check-interval"),
        config.getDuration("colony.persistence.db.health-check-timeout"));
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public CompletionStage<ServerBinding> binding() {
    return binding;
  }
}
