package io.colony.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.colony.persistence.JournalHealth;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Health checks for load balancers and Kubernetes probes. {@code /alive}: the process serves
 * and its cluster extension still runs. {@code /ready}: this node is an {@code Up} member,
 * and its journal database can be used, so it can take traffic that needs the cluster.
 */
public final class HealthRoutes extends AllDirectives {

  /**
   * The body of a health answer; {@code journal} (ok, unreachable, damaged) and {@code reason}
   * say why a node that is Up is still not ready.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Health(String status, String memberStatus, String journal, String reason) {}

  private final Cluster cluster;
  private final JsonSupport json;
  private final Supplier<JournalHealth.Status> journal;

  public HealthRoutes(ActorSystem<?> system, JsonSupport json, Supplier<JournalHealth.Status> journal) {
    this.cluster = Cluster.get(system);
    this.json = json;
    this.journal = journal;
  }

  public Route routes() {
    return concat(
        path("ready", () -> get(this::ready)),
        path("alive", () -> get(this::alive)));
  }

  private Route ready() {
    MemberStatus status = cluster.selfMember().status();
    JournalHealth.Status database = journal.get();
    boolean ready = status.equals(MemberStatus.up()) && database.usable();
    return complete(json.response(
        ready ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
        new Health(ready ? "ready" : "not_ready", status.toString(),
            database.condition().name().toLowerCase(java.util.Locale.ROOT), database.reason())));
  }

  private Route alive() {
    boolean alive = !cluster.isTerminated();
    return complete(json.response(
        alive ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
        new Health(alive ? "alive" : "terminated", cluster.selfMember().status().toString(), null, null)));
  }
}
