package io.colony.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.typesafe.config.Config;
import io.colony.http.metrics.MetricsRoutes;
import io.colony.http.metrics.NodeMetrics;
import io.colony.persistence.JournalHealth;
import io.colony.runtime.MemoryShare;
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
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawRequestURI;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.Materializer;

/**
 * Every resource of the HTTP API, wrapped in the JSON error model and the bearer-token check
 * ({@link ApiAuth}): the only place that knows the full paths. Each {@code XxxRoutes} class
 * matches what follows its prefix.
 */
public final class ApiRoutes extends AllDirectives {

  private final ActorSystem<?> system;
  private final KeyValueStore store;
  private final IdListing listing;
  private final Tasks tasks;
  private final UserEntities entities;
  private final JournalHealth health;
  private final ApiCredentials tokens;
  private final ActorRef<MembershipFeed.Command> membership;
  private final NodeMetrics metrics;

  public ApiRoutes(ActorSystem<?> system, KeyValueStore store, IdListing listing, Tasks tasks, UserEntities entities,
      JournalHealth health, ApiCredentials tokens, ActorRef<MembershipFeed.Command> membership, NodeMetrics metrics) {
    this.membership = membership;
    this.health = health;
    this.metrics = metrics;
    this.tokens = tokens;
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
    ErrorHandling errors = new ErrorHandling(json, http.getDuration("retry-after"));
    List<EntityTypeKey<?>> shardedTypes = shardedTypes(entities);
    ClusterRoutes cluster = clusterRoutes(system, json, membership);
    ShardRoutes shards = new ShardRoutes(new ShardPlacement(system, askTimeout), shardedTypes, json, errors);
    TaskRoutes taskRoutes = new TaskRoutes(tasks,
        new TaskSubmission(tasks.handlers(), system.settings().config().getConfig("colony.tasks")), json, errors);
    KvRoutes kv = new KvRoutes(store, listing, json, errors, askTimeout, Materializer.matFromSystem(system));
    EntityRoutes entityRoutes = new EntityRoutes(entities, listing, json, errors, new EntityRoutes.CommandLimits(
        http.getBytes("max-command-bytes"),
        system.settings().config().getBytes("pekko.remote.artery.advanced.maximum-frame-size"),
        SerializationExtension.get(system)));
    BytesInFlight budget = new BytesInFlight(MemoryShare.bytes(http, "max-bytes-in-flight"));
    // Outermost: the metrics see the status the client gets, 401 and 403 included.
    return metrics.http().measure(errors.handle(
        new ApiAuth(tokens, json, http.getBoolean("metrics-open")).authorize(validTarget(json, concat(
        new HealthRoutes(system, json, health::current).routes(),
        new MetricsRoutes(metrics).routes(),
        cluster.members(),
        pathPrefix("v1", () -> concat(
            pathPrefix("cluster", () -> concat(
                pathPrefix("events", cluster::events),
                pathPrefix("shards", shards::routes))),
            // Data: refused at once while the journal is damaged or too many request bytes are in flight.
            whileJournalUndamaged(errors, () -> withinBytesInFlight(budget, errors, concat(
                pathPrefix("tasks", taskRoutes::routes),
                pathPrefix("workers", taskRoutes::workerRoutes),
                pathPrefix("kv", kv::routes),
                pathPrefix("entities", entityRoutes::routes)))))))))));
  }

  /** Every sharded entity type of a node: the key-value store's, the task records' and the user's. */
  static List<EntityTypeKey<?>> shardedTypes(UserEntities entities) {
    List<EntityTypeKey<?>> types = new ArrayList<>(List.of(KeyValueEntity.ENTITY_KEY, TaskRecord.ENTITY_KEY));
    types.addAll(entities.keys());
    return types;
  }

  /**
   * The routes of a node that found its journal database damaged at start: health checks
   * (503 with the reason), membership, metrics, and a JSON 503 for every other request.
   */
  static Route whileDamaged(ActorSystem<?> system, JournalHealth health, ApiCredentials tokens,
      ActorRef<MembershipFeed.Command> membership, NodeMetrics metrics) {
    Config http = system.settings().config().getConfig("colony.http");
    JsonSupport json = new JsonSupport(system);
    ErrorHandling errors = new ErrorHandling(json, http.getDuration("retry-after"));
    AllDirectives d = new AllDirectives() {};
    ClusterRoutes cluster = clusterRoutes(system, json, membership);
    return metrics.http().measure(errors.handle(
        new ApiAuth(tokens, json, http.getBoolean("metrics-open")).authorize(d.concat(
        new HealthRoutes(system, json, health::current).routes(),
        new MetricsRoutes(metrics).routes(),
        cluster.members(),
        d.pathPrefix(segment("v1").slash("cluster").slash("events"), cluster::events),
        d.extractRequest(request -> d.complete(errors.unavailable("The journal database is damaged ("
            + health.current().reason() + "); nothing was read or written. See GET /ready and the node's log.")))))));
  }

  private static ClusterRoutes clusterRoutes(ActorSystem<?> system, JsonSupport json,
      ActorRef<MembershipFeed.Command> membership) {
    Config http = system.settings().config().getConfig("colony.http");
    return new ClusterRoutes(system, json, http.getDuration("sse-keep-alive"), membership,
        http.getInt("events.client-buffer"));
  }

  /**
   * Reserves a request's body bytes (its Content-Length, or the largest value when it has none)
   * from the node's budget until its answer is ready; a request that does not fit gets 503 at once.
   */
  private Route withinBytesInFlight(BytesInFlight budget, ErrorHandling errors, Route inner) {
    return extractRequest(request -> {
      var length = request.entity().getContentLengthOption();
      long bytes = length.isPresent() ? length.getAsLong() : KvRoutes.MAX_VALUE_BYTES;
      if (bytes == 0) {
        return inner;
      }
      if (!budget.tryAcquire(bytes)) {
        return complete(errors.unavailable("This node is receiving " + budget.used() + " bytes of requests already ("
            + "colony.http.max-bytes-in-flight is " + budget.budget() + "); nothing was stored. Retry later."));
      }
      return mapRouteResultFuture(result -> result.whenComplete((done, failure) -> budget.release(bytes)), () -> inner);
    });
  }

  /**
   * 400 for a request-target whose percent-encodings are not UTF-8 or hold NUL (see
   * {@link RequestTarget}); it needs the {@code Raw-Request-URI} header that {@link HttpServer} turns on.
   */
  private Route validTarget(JsonSupport json, Route inner) {
    return extractRequest(request -> request.getHeader(RawRequestURI.class)
        .flatMap(raw -> RequestTarget.problem(raw.uri()))
        .map(problem -> complete(json.response(StatusCodes.BAD_REQUEST, new ApiError("invalid_encoding", problem))))
        .orElse(inner));
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
