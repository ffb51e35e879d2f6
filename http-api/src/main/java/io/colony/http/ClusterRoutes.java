package io.colony.http;

import io.colony.runtime.MembershipChange;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.javadsl.ClusterHttpManagementRoutes;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Membership: {@code /cluster/members} in pekko-management's own JSON (so its tooling works)
 * and {@code /v1/cluster/events} (matched relative to its prefix), a Server-Sent Events stream
 * that starts with a {@code snapshot} of the current members and then sends one event per change.
 */
public final class ClusterRoutes extends AllDirectives {

  private static final int EVENT_BUFFER = 256;

  private final Cluster cluster;
  private final JsonSupport json;
  private final Duration keepAlive;

  public ClusterRoutes(ActorSystem<?> system, JsonSupport json, Duration keepAlive) {
    this.cluster = Cluster.get(system.classicSystem());
    this.json = json;
    this.keepAlive = keepAlive;
  }

  /** {@code /cluster/...}: pekko-management's routes match their own full paths. */
  public Route members() {
    // Read-only: leaving or downing members over HTTP is not part of the public API.
    // Only GET reaches pekko-management's routes, whose own 405 answers are not JSON.
    return pathPrefixTest("cluster", () -> get(() -> ClusterHttpManagementRoutes.readOnly(cluster)));
  }

  /** Under {@code /v1/cluster/events}. */
  public Route events() {
    return pathEnd(() -> get(() -> completeOK(membershipEvents(), EventStreamMarshalling.toEventStream())));
  }

  private Source<ServerSentEvent, NotUsed> membershipEvents() {
    return Source.actorRef(msg -> Optional.empty(), msg -> Optional.empty(), EVENT_BUFFER, OverflowStrategy.dropHead())
        .mapMaterializedValue(subscriber -> {
          // The snapshot comes first; the event stream drops the subscription when the client leaves.
          cluster.subscribe(
              subscriber,
              ClusterEvent.initialStateAsSnapshot(),
              ClusterEvent.MemberEvent.class,
              ClusterEvent.ReachabilityEvent.class);
          return NotUsed.getInstance();
        })
        .map(MembershipChange::from)
        .filter(Optional::isPresent)
        .map(change -> ServerSentEvent.create(json.write(change.get()), change.get().type()))
        .keepAlive(keepAlive, ServerSentEvent::heartbeat);
  }
}
