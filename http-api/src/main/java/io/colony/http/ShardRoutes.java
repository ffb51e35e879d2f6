package io.colony.http;

import io.colony.sharding.ShardPlacement;
import java.util.List;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /v1/cluster/shards}, matched relative to its prefix: per entity type, its shards and
 * running entities per node.
 */
public final class ShardRoutes extends AllDirectives {

  /** The JSON body. */
  public record Shards(List<ShardPlacement.EntityTypePlacement> entityTypes) {}

  private final ShardPlacement placement;
  private final List<EntityTypeKey<?>> types;
  private final JsonSupport json;
  private final ErrorHandling errors;

  public ShardRoutes(ShardPlacement placement, List<EntityTypeKey<?>> types, JsonSupport json, ErrorHandling errors) {
    this.placement = placement;
    this.types = types;
    this.json = json;
    this.errors = errors;
  }

  public Route routes() {
    return pathEnd(() -> get(() -> errors.whenUnavailable("Shard placement could not be collected in time; retry later.",
        () -> onSuccess(placement.of(types), list -> complete(StatusCodes.OK, new Shards(list), json.marshaller())))));
  }
}
