package io.colony.http.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The shards and running entities this node hosts, per entity type:
 * {@code colony_sharding_shards{type}} and {@code colony_sharding_entities{type}}. Asked of the
 * local shard region before each scrape (no cluster-wide query: each node reports its part, and
 * Prometheus sums them). The {@code type} label is bounded by the entity types deployed.
 */
public final class ShardingMetrics implements ScrapedMetrics {

  /** One type's part on this node. */
  private record Hosted(int shards, int entities) {}

  private final ActorSystem<?> system;
  private final List<EntityTypeKey<?>> types;
  private final Duration timeout;
  private final Map<String, Hosted> last = new ConcurrentHashMap<>();

  public ShardingMetrics(ActorSystem<?> system, List<EntityTypeKey<?>> types, Duration timeout) {
    this.system = system;
    this.types = List.copyOf(types);
    this.timeout = timeout;
  }

  @Override
  public CompletionStage<Void> refresh() {
    CompletableFuture<?>[] asks = types.stream().map(type -> AskPattern
            .<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(ClusterSharding.get(system).shardState(),
                replyTo -> new GetShardRegionState(type, replyTo), timeout, system.scheduler())
            .thenAccept(state -> last.put(type.name(), hosted(state)))
            .exceptionally(failure -> null) // keep the last numbers
            .toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(asks);
  }

  private static Hosted hosted(ShardRegion.CurrentShardRegionState state) {
    int entities = state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
    return new Hosted(state.getShards().size(), entities);
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (EntityTypeKey<?> type : types) {
      Gauge.builder("colony.sharding.shards", () -> last.getOrDefault(type.name(), new Hosted(0, 0)).shards())
          .description("Shards of an entity type this node hosts")
          .tag("type", type.name())
          .register(registry);
      Gauge.builder("colony.sharding.entities", () -> last.getOrDefault(type.name(), new Hosted(0, 0)).entities())
          .description("Running entities of an entity type on this node")
          .tag("type", type.name())
          .register(registry);
    }
  }
}
