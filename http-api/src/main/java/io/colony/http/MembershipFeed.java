package io.colony.http;

import io.colony.runtime.CurrentMembership;
import io.colony.runtime.MembershipChange;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;

/**
 * This node's numbered membership changes, for {@code GET /v1/cluster/events}: one cluster
 * subscription for the node's whole life, a bounded {@link EventHistory} of the changes, the
 * membership they add up to, and the clients that stream them. Because this one actor numbers
 * each change, replays the history and forwards live changes, a client's replay and its live
 * part can neither overlap nor leave a gap.
 */
public final class MembershipFeed extends AbstractBehavior<MembershipFeed.Command> {

  public sealed interface Command {}

  /**
   * A client starts streaming: {@code seen} is the id of the last event it has (Last-Event-ID),
   * or empty for a new client. {@code replyTo} gets a first {@link Delivery} at once, then one per change.
   */
  public record Subscribe(OptionalLong seen, ActorRef<Delivery> replyTo) implements Command {}

  /** Events for one client, oldest first. */
  public record Delivery(List<Numbered> events) {}

  /** A change and its id on this node. */
  public record Numbered(long id, MembershipChange change) {}

  /** A type of change: what a client that cannot resume gets instead of a snapshot. */
  public static final String RESET = "reset";

  private record ClusterChanged(Object event) implements Command {}

  private record ClientGone(ActorRef<Delivery> client) implements Command {}

  private final EventHistory<MembershipChange> history;
  private final Set<ActorRef<Delivery>> clients = new HashSet<>();
  private CurrentMembership membership = CurrentMembership.EMPTY;

  /**
   * @param historySize how many changes are kept for clients that resume
   * @param firstId the id of the first change: the node's start time in microseconds, so that a
   *     restarted node gives out ids above those of its previous life, and an id from then resets
   */
  public static Behavior<Command> create(int historySize, long firstId) {
    return Behaviors.setup(context -> new MembershipFeed(context, historySize, firstId));
  }

  private MembershipFeed(ActorContext<Command> context, int historySize, long firstId) {
    super(context);
    this.history = new EventHistory<>(historySize, firstId);
    ActorRef<Object> events = context.messageAdapter(Object.class, ClusterChanged::new);
    Cluster.get(Adapter.toClassic(context.getSystem())).subscribe(Adapter.toClassic(events),
        ClusterEvent.initialStateAsSnapshot(), ClusterEvent.MemberEvent.class, ClusterEvent.ReachabilityEvent.class);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ClusterChanged.class, this::onClusterChanged)
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(ClientGone.class, this::onClientGone)
        .build();
  }

  private Behavior<Command> onClusterChanged(ClusterChanged changed) {
    membership = membership.apply(changed.event());
    if (changed.event() instanceof ClusterEvent.CurrentClusterState) {
      return this; // the state to start from, not a change
    }
    MembershipChange.from(changed.event()).ifPresent(change -> {
      EventHistory.Entry<MembershipChange> entry = history.append(change);
      Delivery live = new Delivery(List.of(new Numbered(entry.id(), entry.event())));
      clients.forEach(client -> client.tell(live));
    });
    return this;
  }

  private Behavior<Command> onSubscribe(Subscribe subscribe) {
    subscribe.replyTo().tell(new Delivery(firstEvents(subscribe.seen())));
    clients.add(subscribe.replyTo());
    getContext().watchWith(subscribe.replyTo(), new ClientGone(subscribe.replyTo()));
    return this;
  }

  /** A new client starts from a snapshot; a resuming one gets what it missed, or a reset if that is gone. */
  private List<Numbered> firstEvents(OptionalLong seen) {
    if (seen.isEmpty()) {
      return List.of(new Numbered(history.lastId(), membership.asChange(MembershipChange.SNAPSHOT)));
    }
    return history.after(seen.getAsLong())
        .map(missed -> missed.stream().map(entry -> new Numbered(entry.id(), entry.event())).toList())
        .orElseGet(() -> List.of(new Numbered(history.lastId(), membership.asChange(RESET))));
  }

  private Behavior<Command> onClientGone(ClientGone gone) {
    clients.remove(gone.client());
    return this;
  }
}
