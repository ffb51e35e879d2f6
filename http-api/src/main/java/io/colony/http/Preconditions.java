package io.colony.http;

import io.colony.sharding.kv.Precondition;
import java.util.Optional;

/** Reads HTTP's conditional headers into a key-value {@link Precondition}. */
final class Preconditions {

  private Preconditions() {}

  /**
   * {@code If-Match: "v"} (one strong ETag) or {@code If-Match: *}, or {@code If-None-Match: *}.
   *
   * @throws IllegalArgumentException with a message for the client when a header is malformed
   */
  static Precondition parse(Optional<String> ifMatch, Optional<String> ifNoneMatch) {
    if (ifMatch.isPresent() && ifNoneMatch.isPresent()) {
      throw new IllegalArgumentException("Send either If-Match or If-None-Match, not both.");
    }
    if (ifNoneMatch.isPresent()) {
      if (!ifNoneMatch.get().trim().equals("*")) {
        throw new IllegalArgumentException("If-None-Match supports only * (create only if absent).");
      }
      return Precondition.absent();
    }
    if (ifMatch.isEmpty()) {
      return Precondition.NONE;
    }
    String value = ifMatch.get().trim();
    if (value.equals("*")) {
      return Precondition.exists();
    }
    if (value.length() >= 3 && value.startsWith("\"") && value.endsWith("\"")) {
      try {
        long version = Long.parseLong(value.substring(1, value.length() - 1));
        if (version >= 0) {
          return Precondition.versionIs(version);
        }
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new IllegalArgumentException("If-Match must be * or one ETag as returned by Colony, e.g. \"3\".");
  }
}
