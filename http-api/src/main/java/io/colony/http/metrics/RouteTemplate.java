package io.colony.http.metrics;

import java.util.List;
import java.util.Set;

/**
 * The route template of a request path, the {@code route} label of the HTTP metrics: keys, ids
 * and entity types become placeholders, and a path no route serves becomes {@code other}, so a
 * client can never create a new time series by choosing a path.
 */
public final class RouteTemplate {

  public static final String OTHER = "other";

  /** Paths served as they are (no part of them is chosen by the client). */
  private static final Set<String> FIXED = Set.of("/alive", "/ready", "/metrics", "/cluster/members",
      "/v1/cluster/events", "/v1/cluster/shards", "/v1/kv", "/v1/tasks", "/v1/workers", "/v1/entities");

  private RouteTemplate() {}

  public static String of(String path) {
    String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    if (path.startsWith("/v1/kv/")) {
      return "/v1/kv/{key}"; // a key may hold any character, '/' included
    }
    if (FIXED.contains(trimmed)) {
      return trimmed;
    }
    List<String> rest;
    if ((rest = after(trimmed, "/v1/tasks/")) != null && rest.size() == 1) {
      return "/v1/tasks/{id}";
    }
    if ((rest = after(trimmed, "/v1/entities/")) != null && rest.size() <= 2) {
      return rest.size() == 1 ? "/v1/entities/{type}" : "/v1/entities/{type}/{id}";
    }
    if (trimmed.startsWith("/cluster/members/")) {
      return "/cluster/members/{address}"; // an address such as pekko://Colony@host:port
    }
    if ((rest = after(trimmed, "/cluster/shards/")) != null && rest.size() == 1) {
      return "/cluster/shards/{name}";
    }
    return OTHER;
  }

  /** The non-empty segments after {@code prefix}, or null when the path does not start with it or has an empty one. */
  private static List<String> after(String path, String prefix) {
    if (!path.startsWith(prefix) || path.length() == prefix.length()) {
      return null;
    }
    List<String> segments = List.of(path.substring(prefix.length()).split("/", -1));
    return segments.stream().anyMatch(String::isEmpty) ? null : segments;
  }
}
