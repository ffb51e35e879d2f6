package io.colony.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.colony.sharding.ShardPlacement;
import java.util.List;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /v1/cluster/shards}: per entity type, its shards and running entities per node. */
public final class ShardRoutes extends AllDirectives {

  /** The JSON body. */
  public record Shards(List<ShardPlacement.EntityTypePlacement> entityTypes) {}

  private final ShardPlacement placement;
  private final List<EntityTypeKey<?>> types;
  private final JsonSupport json;
  private final ErrorHandling errors;
  private final java.util.concurrent.Executor executor;

  public ShardRoutes(ShardPlacement placement, List<EntityTypeKey<?>> types, JsonSupport json, ErrorHandling errors,
      java.util.concurrent.Executor executor) {
    this.placement = placement;
    this.types = types;
    this.json = json;
    this.errors = errors;
    this.executor = executor;
  }

  public Route routes() {
    return path(segment("v1").slash("cluster").slash("shards"), () -> get(() -> completeWithFuture(
        placement.of(types).handleAsync((list, failure) -> failure == null
            ? json.response(StatusCodes.OK, new Shards(list))
            : errors.unavailable("Shard placement could not be collected in time; retry later."), executor))));
  }
}
