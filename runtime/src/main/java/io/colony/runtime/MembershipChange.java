package io.colony.runtime;

import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;

/**
 * A membership change as streamed to clients: {@code type} is the Pekko event name
 * ({@code MemberUp}, {@code MemberRemoved}, {@code UnreachableMember}, …) or {@code snapshot}
 * for the state a subscriber starts from.
 */
public record MembershipChange(String type, List<MemberView> members, List<MemberView> unreachable) {

  public static final String SNAPSHOT = "snapshot";

  /** The change carried by a classic cluster event, if it is one clients care about. */
  public static Optional<MembershipChange> from(Object event) {
    if (event instanceof ClusterEvent.CurrentClusterState state) {
      List<MemberView> members =
          StreamSupport.stream(state.getMembers().spliterator(), false).map(MemberView::of).toList();
      List<MemberView> unreachable = state.getUnreachable().stream().map(MemberView::of).toList();
      return Optional.of(new MembershipChange(SNAPSHOT, members, unreachable));
    }
    if (event instanceof ClusterEvent.MemberEvent memberEvent) {
      return Optional.of(single(memberEvent.getClass().getSimpleName(), memberEvent.member()));
    }
    if (event instanceof ClusterEvent.ReachabilityEvent reachability) {
      return Optional.of(single(reachability.getClass().getSimpleName(), reachability.member()));
    }
    return Optional.empty();
  }

  private static MembershipChange single(String type, Member member) {
    return new MembershipChange(type, List.of(MemberView.of(member)), List.of());
  }
}
