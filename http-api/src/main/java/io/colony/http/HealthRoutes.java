package io.colony.http;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Health checks for load balancers and Kubernetes probes. {@code /alive}: the process serves
 * and its cluster extension still runs. {@code /ready}: this node is an {@code Up} member,
 * so it can take traffic that needs the cluster.
 */
public final class HealthRoutes extends AllDirectives {

  /** The body of a health answer. */
  public record Health(String status, String memberStatus) {}

  private final Cluster cluster;
  private final JsonSupport json;

  public HealthRoutes(ActorSystem<?> system, JsonSupport json) {
    this.cluster = Cluster.get(system);
    this.json = json;
  }

  public Route routes() {
    return concat(
        path("ready", () -> get(this::ready)),
        path("alive", () -> get(this::alive)));
  }

  private Route ready() {
    MemberStatus status = cluster.selfMember().status();
    boolean up = status.equals(MemberStatus.up());
    return complete(json.response(
        up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
        new Health(up ? "ready" : "not_ready", status.toString())));
  }

  private Route alive() {
    boolean alive = !cluster.isTerminated();
    return complete(json.response(
        alive ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
        new Health(alive ? "alive" : "terminated", cluster.selfMember().status().toString())));
  }
}
