package io.colony.http;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.cluster.javadsl.ClusterHttpManagementRoutes;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Membership: {@code /cluster/members} in pekko-management's own JSON (so its tooling works)
 * and {@code /v1/cluster/events} (matched relative to its prefix), a Server-Sent Events stream
 * of the node's {@link MembershipFeed}: a {@code snapshot} of the current members, then one event
 * per change. Every event has an id; a client that sends {@code Last-Event-ID} (or {@code ?since=})
 * gets the changes after it instead of the snapshot, or a {@code reset} when they are gone.
 */
public final class ClusterRoutes extends AllDirectives {

  /** An event id as this node gives them out: a decimal number. */
  private static final Pattern EVENT_ID = Pattern.compile("[0-9]{1,18}");

  private final Cluster cluster;
  private final JsonSupport json;
  private final Duration keepAlive;
  private final ActorRef<MembershipFeed.Command> feed;
  private final int clientBuffer;

  /**
   * @param clientBuffer changes a slow client may fall behind by; beyond it its stream is closed
   *     and the client resumes from the history with its Last-Event-ID
   */
  public ClusterRoutes(ActorSystem<?> system, JsonSupport json, Duration keepAlive,
      ActorRef<MembershipFeed.Command> feed, int clientBuffer) {
    this.cluster = Cluster.get(system.classicSystem());
    this.json = json;
    this.keepAlive = keepAlive;
    this.feed = feed;
    this.clientBuffer = clientBuffer;
  }

  /** {@code /cluster/...}: pekko-management's routes match their own full paths. */
  public Route members() {
    // Read-only: leaving or downing members over HTTP is not part of the public API.
    // Only GET reaches pekko-management's routes, whose own 405 answers are not JSON.
    return pathPrefixTest("cluster", () -> get(() -> ClusterHttpManagementRoutes.readOnly(cluster)));
  }

  /** Under {@code /v1/cluster/events}. */
  public Route events() {
    return pathEnd(() -> get(() -> optionalHeaderValueByName("Last-Event-ID", header ->
        parameterOptional("since", since -> {
          // A browser's EventSource reconnects to the same URL with the header: the header is newer.
          Optional<String> given = header.or(() -> since);
          if (given.isPresent() && !EVENT_ID.matcher(given.get()).matches()) {
            return complete(json.response(StatusCodes.BAD_REQUEST, new ApiError("invalid_event_id",
                "Last-Event-ID and since take an event id of this node (a decimal number), not '"
                    + printable(given.get()) + "'.")));
          }
          OptionalLong seen = given.map(id -> OptionalLong.of(Long.parseLong(id))).orElse(OptionalLong.empty());
          return completeOK(membershipEvents(seen), EventStreamMarshalling.toEventStream());
        }))));
  }

  private Source<ServerSentEvent, NotUsed> membershipEvents(OptionalLong seen) {
    // fail(), not dropHead(): a client that falls behind must not miss changes silently; its
    // stream ends and it resumes from the history.
    return Source.<MembershipFeed.Delivery>actorRef(
            msg -> Optional.empty(), msg -> Optional.empty(), clientBuffer, OverflowStrategy.fail())
        .mapMaterializedValue(client -> {
          // The feed stops sending when the client's stream (and so this actor) is gone.
          feed.tell(new MembershipFeed.Subscribe(seen, Adapter.toTyped(client)));
          return NotUsed.getInstance();
        })
        .mapConcat(MembershipFeed.Delivery::events)
        .map(event -> ServerSentEvent.create(
            json.write(event.change()), event.change().type(), Long.toString(event.id())))
        .keepAlive(keepAlive, ServerSentEvent::heartbeat);
  }

  /** At most 40 characters of the client's value, without control characters, for the message. */
  private static String printable(String value) {
    String shown = value.replaceAll("\\p{Cntrl}", "?");
    return shown.length() > 40 ? shown.substring(0, 40) + "…" : shown;
  }
}
