package io.colony.runtime;

import java.util.List;
import org.apache.pekko.cluster.Member;

/** One cluster member as clients see it; the same fields as pekko-management's member JSON. */
public record MemberView(String node, String status, List<String> roles) {

  public static MemberView of(Member member) {
    return new MemberView(
        member.address().toString(),
        member.status().toString(),
        member.getRoles().stream().sorted().toList());
  }
}
