package io.colony.http;

import com.typesafe.config.Config;
import io.colony.persistence.JournalHealth;
import io.colony.sharding.ShardPlacement;
import io.colony.sharding.entities.UserEntities;
import io.colony.sharding.listing.IdListing;
import io.colony.sharding.kv.KeyValueEntity;
import io.colony.sharding.kv.KeyValueStore;
import io.colony.tasks.TaskRecord;
import io.colony.tasks.TaskSubmission;
import io.colony.tasks.Tasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/** Every resource of the HTTP API, wrapped in the JSON error model. */
public final class ApiRoutes extends AllDirectives {

  private final ActorSystem<?> system;
  private final KeyValueStore store;
  private final IdListing listing;
  private final Tasks tasks;
  private final UserEntities entities;
  private final JournalHealth health;

  public ApiRoutes(ActorSystem<?> system, KeyValueStore store, IdListing listing, Tasks tasks, UserEntities entities,
      JournalHealth health) {
    this.health = health;
    this.system = system;
    this.store = store;
    this.listing = listing;
    this.tasks = tasks;
    this.entities = entities;
  }

  public Route routes() {
    Config http = system.settings().config().getConfig("colony.http");
    Duration askTimeout = http.getDuration("ask-timeout");
    JsonSupport json = new JsonSupport(system);
    Executor executor = system.executionContext();
    ErrorHandling errors = new ErrorHandling(json, http.getDuration("retry-after"));
    List<EntityTypeKey<?>> shardedTypes = new ArrayList<>(List.of(KeyValueEntity.ENTITY_KEY, TaskRecord.ENTITY_KEY));
    shardedTypes.addAll(entities.keys());
    return errors.handle(concat(
        new HealthRoutes(system, json, health::current).routes(),
        new ClusterRoutes(system, json, http.getDuration("sse-keep-alive")).routes(),
        new ShardRoutes(new ShardPlacement(system, askTimeout), shardedTypes, json, errors, executor).routes(),
        whileJournalUndamaged(errors, () -> concat(
            new TaskRoutes(tasks, new TaskSubmission(tasks.handlers(), system.settings().config().getConfig("colony.tasks")),
                json, errors, executor).routes(),
            new KvRoutes(store, listing, json, errors, askTimeout, Materializer.matFromSystem(system), executor)
                .routes(),
            new EntityRoutes(entities, listing, json, errors, executor).routes()))));
  }

  /** Data requests get 503 at once, with the reason, while the journal database is damaged. */
  private Route whileJournalUndamaged(ErrorHandling errors, java.util.function.Supplier<Route> inner) {
    Route data = inner.get();
    return extractRequest(request -> {
      JournalHealth.Status status = health.current();
      if (status.condition() == JournalHealth.Condition.DAMAGED) {
        return complete(errors.unavailable("The journal database is damaged (" + status.reason()
            + "); nothing was read or written. See GET /ready and the node's log."));
      }
      return data;
    });
  }
}
