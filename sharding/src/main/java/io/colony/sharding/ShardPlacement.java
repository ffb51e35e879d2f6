package io.colony.sharding;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/** Where the shards of each entity type live: shards and running entities per node. */
public final class ShardPlacement {

  /** One entity type across the cluster. */
  public record EntityTypePlacement(String name, List<NodePlacement> nodes) {}

  /** One node's part of an entity type; {@code failedShards} did not answer in time. */
  public record NodePlacement(String node, int shards, int entities, Map<String, Integer> entitiesPerShard,
      List<String> failedShards) {}

  private final ActorSystem<?> system;
  private final Duration timeout;

  public ShardPlacement(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  public CompletionStage<List<EntityTypePlacement>> of(List<EntityTypeKey<?>> types) {
    List<CompletableFuture<EntityTypePlacement>> each = new ArrayList<>();
    for (EntityTypeKey<?> type : types) {
      each.add(of(type).toCompletableFuture());
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApplyAsync(done -> each.stream().map(CompletableFuture::join).toList(), system.executionContext());
  }

  private CompletionStage<EntityTypePlacement> of(EntityTypeKey<?> type) {
    CompletionStage<ShardRegion.ClusterShardingStats> stats = AskPattern.ask(
        ClusterSharding.get(system).shardState(),
        replyTo -> new GetClusterShardingStats(type, timeout, replyTo),
        timeout.plusSeconds(1),
        system.scheduler());
    return stats.thenApplyAsync(s -> new EntityTypePlacement(type.name(), nodes(s)), system.executionContext());
  }

  private static List<NodePlacement> nodes(ShardRegion.ClusterShardingStats stats) {
    List<NodePlacement> nodes = new ArrayList<>();
    stats.getRegions().forEach((address, region) -> {
      Map<String, Integer> perShard = new TreeMap<>();
      region.getStats().forEach((shard, count) -> perShard.put(shard, ((Number) count).intValue()));
      int entities = perShard.values().stream().mapToInt(Integer::intValue).sum();
      nodes.add(new NodePlacement(address.toString(), perShard.size(), entities, perShard,
          region.getFailed().stream().sorted().toList()));
    });
    nodes.sort(java.util.Comparator.comparing(NodePlacement::node));
    return nodes;
  }
}
