package io.colony.runtime;

import java.util.List;
import java.util.TreeMap;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.UniqueAddress;

/**
 * The membership one subscriber has seen, folded from its cluster events: what a client that
 * starts (or must start over) is sent as a {@code snapshot}, consistent with the events numbered
 * so far because the same subscriber saw both. Immutable.
 */
public final class CurrentMembership {

  public static final CurrentMembership EMPTY = new CurrentMembership(new TreeMap<>(), new TreeMap<>());

  // Ordered by address, as Pekko orders the members of a CurrentClusterState.
  private final TreeMap<UniqueAddress, MemberView> members;
  private final TreeMap<UniqueAddress, MemberView> unreachable;

  private CurrentMembership(TreeMap<UniqueAddress, MemberView> members, TreeMap<UniqueAddress, MemberView> unreachable) {
    this.members = members;
    this.unreachable = unreachable;
  }

  /** The membership after {@code event}; unchanged for events that are not about membership. */
  public CurrentMembership apply(Object event) {
    if (event instanceof ClusterEvent.CurrentClusterState state) {
      TreeMap<UniqueAddress, MemberView> all = new TreeMap<>();
      StreamSupport.stream(state.getMembers().spliterator(), false).forEach(m -> all.put(m.uniqueAddress(), MemberView.of(m)));
      TreeMap<UniqueAddress, MemberView> away = new TreeMap<>();
      state.getUnreachable().forEach(m -> away.put(m.uniqueAddress(), MemberView.of(m)));
      return new CurrentMembership(all, away);
    }
    if (event instanceof ClusterEvent.MemberRemoved removed) {
      return new CurrentMembership(without(members, removed.member()), without(unreachable, removed.member()));
    }
    if (event instanceof ClusterEvent.MemberEvent changed) {
      return new CurrentMembership(with(members, changed.member()),
          unreachable.containsKey(changed.member().uniqueAddress()) ? with(unreachable, changed.member()) : unreachable);
    }
    if (event instanceof ClusterEvent.UnreachableMember away) {
      return new CurrentMembership(members, with(unreachable, away.member()));
    }
    if (event instanceof ClusterEvent.ReachableMember back) {
      return new CurrentMembership(members, without(unreachable, back.member()));
    }
    return this;
  }

  /** This membership as the {@code snapshot} change (or another {@code type}, e.g. {@code reset}). */
  public MembershipChange asChange(String type) {
    return new MembershipChange(type, List.copyOf(members.values()), List.copyOf(unreachable.values()));
  }

  private static TreeMap<UniqueAddress, MemberView> with(TreeMap<UniqueAddress, MemberView> map, Member member) {
    TreeMap<UniqueAddress, MemberView> copy = new TreeMap<>(map);
    copy.put(member.uniqueAddress(), MemberView.of(member));
    return copy;
  }

  private static TreeMap<UniqueAddress, MemberView> without(TreeMap<UniqueAddress, MemberView> map, Member member) {
    TreeMap<UniqueAddress, MemberView> copy = new TreeMap<>(map);
    copy.remove(member.uniqueAddress());
    return copy;
  }
}
