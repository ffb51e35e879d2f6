package io.colony.tasks;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.pattern.Patterns;

/**
 * The shards of one entity type that this node hosts, as last seen (asked of the local shard
 * region every second). It lets a node pick new entity ids that land on itself, Orleans'
 * "prefer local" placement: a task submitted here gets its record here, so neither its
 * submission nor its worker's go-ahead crosses the network.
 *
 * <p>Only a hint. A shard may move at any time; an id whose shard has moved is just as valid,
 * its entity simply lives elsewhere.
 */
final class LocalShards {

  private final HashCodeMessageExtractor<?> extractor;
  /** Random ids tried before settling for one that lives elsewhere (1/nodes of them are local). */
  private final int tries;
  private volatile Set<String> hosted = Set.of();

  private LocalShards(int numberOfShards, int tries) {
    this.extractor = new HashCodeMessageExtractor<>(numberOfShards);
    this.tries = tries;
  }

  /**
   * Starts following the local region of {@code typeName} (a typed entity type key's name),
   * asking it {@code every} so often; {@link #newId} draws at most {@code tries} ids.
   */
  static LocalShards follow(ActorSystem<?> system, String typeName, Duration every, int tries) {
    int numberOfShards = system.settings().config().getInt("pekko.cluster.sharding.number-of-shards");
    LocalShards shards = new LocalShards(numberOfShards, tries);
    ActorRef region = ClusterSharding.get(Adapter.toClassic(system)).shardRegion(typeName);
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, every, () ->
        Patterns.ask(region, ShardRegion.getRegionStatsInstance(), every).whenCompleteAsync((reply, failure) -> {
          if (reply instanceof ShardRegion.ShardRegionStats stats) {
            shards.hosted = Set.copyOf(stats.getStats().keySet());
          }
        }, system.executionContext()), system.executionContext());
    return shards;
  }

  boolean hosts(String entityId) {
    return hosted.contains(extractor.shardId(entityId));
  }

  /** A random UUID whose entity this node hosts, if one turns up within the configured tries. */
  String newId() {
    return firstMatching(this::hosts, () -> UUID.randomUUID().toString(), hosted.isEmpty() ? 1 : tries);
  }

  static String firstMatching(Predicate<String> wanted, Supplier<String> ids, int tries) {
    String id = ids.get();
    for (int i = 1; i < tries && !wanted.test(id); i++) {
      id = ids.get();
    }
    return id;
  }
}
