package io.colony.http.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * This node's view of the cluster, read from {@link Cluster#state()} at each scrape (no copy to
 * keep in step): {@code colony_cluster_members{status}} for every member status (0 included, so
 * a dashboard sees a status drop to none), {@code colony_cluster_unreachable_members},
 * {@code colony_cluster_leader} and {@code colony_cluster_oldest} (1 when this node is the
 * leader, or the oldest Up member, which hosts the singletons), and
 * {@code colony_cluster_membership_age_seconds}: the time since the last membership event this
 * node saw, which a small subscriber notes.
 */
public final class ClusterMetrics implements MeterBinder {

  private static final List<MemberStatus> STATUSES = List.of(MemberStatus.joining(), MemberStatus.weaklyUp(),
      MemberStatus.up(), MemberStatus.leaving(), MemberStatus.exiting(), MemberStatus.down(), MemberStatus.removed(),
      MemberStatus.shuttingDown(), MemberStatus.shutDown());

  private final Cluster cluster;
  private final AtomicLong lastChangeNanos;

  private ClusterMetrics(Cluster cluster, AtomicLong lastChangeNanos) {
    this.cluster = cluster;
    this.lastChangeNanos = lastChangeNanos;
  }

  public static ClusterMetrics start(ActorSystem<?> system) {
    AtomicLong lastChange = new AtomicLong(System.nanoTime());
    system.systemActorOf(membershipWatcher(lastChange), "metrics-membership-watcher", Props.empty());
    return new ClusterMetrics(Cluster.get(system), lastChange);
  }

  private static Behavior<ClusterEvent.MemberEvent> membershipWatcher(AtomicLong lastChange) {
    return Behaviors.setup(context -> {
      Cluster.get(context.getSystem()).subscriptions()
          .tell(Subscribe.create(context.getSelf(), ClusterEvent.MemberEvent.class));
      return Behaviors.receiveMessage(event -> {
        lastChange.set(System.nanoTime());
        return Behaviors.same();
      });
    });
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (MemberStatus status : STATUSES) {
      Gauge.builder("colony.cluster.members", () -> count(status))
          .description("Members of the cluster by status, as this node sees them")
          .tag("status", label(status))
          .register(registry);
    }
    Gauge.builder("colony.cluster.unreachable.members", () -> cluster.state().getUnreachable().size())
        .description("Members this node's failure detector considers unreachable")
        .register(registry);
    Gauge.builder("colony.cluster.leader", () -> isLeader() ? 1 : 0)
        .description("1 when this node is the cluster leader")
        .register(registry);
    Gauge.builder("colony.cluster.oldest", () -> isOldest() ? 1 : 0)
        .description("1 when this node is the oldest Up member (it hosts the cluster singletons)")
        .register(registry);
    Gauge.builder("colony.cluster.membership.age", () -> (System.nanoTime() - lastChangeNanos.get()) / 1e9)
        .description("Seconds since this node last saw a member join, change status or leave")
        .baseUnit("seconds")
        .register(registry);
  }

  private long count(MemberStatus status) {
    long n = 0;
    for (Member member : cluster.state().getMembers()) {
      if (member.status().equals(status)) {
        n++;
      }
    }
    return n;
  }

  private boolean isLeader() {
    return cluster.selfMember().address().equals(cluster.state().getLeader());
  }

  private boolean isOldest() {
    Member oldest = null;
    for (Member member : cluster.state().getMembers()) {
      if (member.status().equals(MemberStatus.up()) && (oldest == null || member.isOlderThan(oldest))) {
        oldest = member;
      }
    }
    return oldest != null && oldest.uniqueAddress().equals(cluster.selfMember().uniqueAddress());
  }

  /** {@code WeaklyUp} → {@code weakly_up}. */
  static String label(MemberStatus status) {
    return status.toString().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }
}
