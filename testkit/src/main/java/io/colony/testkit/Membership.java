package io.colony.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** What one node's {@code GET /cluster/members} says, reduced to what tests compare. */
public record Membership(Map<String, String> statusByNode, Set<String> unreachable, String oldest) {

  /** Asks a node; an empty membership (and no oldest) when it does not answer. */
  public static Membership of(NodeProcess node) {
    return of(node.url());
  }

  public static Membership of(String baseUrl) {
    return of(baseUrl, null);
  }

  /** As {@link #of(String)}, asking with an API token (a node with a tokens file needs one; null: none). */
  public static Membership of(String baseUrl, String bearerToken) {
    try {
      JsonNode json = HttpJson.json(HttpJson.get(baseUrl + "/cluster/members", bearerToken));
      Map<String, String> status = new HashMap<>();
      json.get("members").forEach(m -> status.put(m.get("node").asText(), m.get("status").asText()));
      Set<String> unreachable = new HashSet<>();
      json.get("unreachable").forEach(u -> unreachable.add(u.get("node").asText()));
      JsonNode oldest = json.get("oldest");
      return new Membership(status, unreachable, oldest == null || oldest.isNull() ? null : oldest.asText());
    } catch (RuntimeException | AssertionError e) {
      return new Membership(Map.of(), Set.of(), null);
    }
  }

  public boolean allUp(NodeProcess... nodes) {
    if (statusByNode.size() != nodes.length) {
      return false;
    }
    for (NodeProcess node : nodes) {
      if (!"Up".equals(statusByNode.get(node.address()))) {
        return false;
      }
    }
    return unreachable.isEmpty();
  }

  public boolean contains(NodeProcess node) {
    return statusByNode.containsKey(node.address());
  }
}
