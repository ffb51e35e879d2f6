package io.colony.http;

import io.colony.http.ApiTokens.Role;
import java.util.Optional;

/** What a bearer token may do, by whichever means this node checks tokens. */
public interface ApiCredentials {

  /** Whether the API asks for tokens at all (without any, it is open). */
  boolean enabled();

  /** The role of a presented bearer token, or empty when it is not valid here. */
  Optional<Role> roleOf(String token);

  /** Accepts a token either of the two accepts, as the first one that does. */
  static ApiCredentials either(ApiCredentials first, ApiCredentials second) {
    if (!second.enabled()) {
      return first;
    }
    if (!first.enabled()) {
      return second;
    }
    return new ApiCredentials() {
      @Override
      public boolean enabled() {
        return true;
      }

      @Override
      public Optional<Role> roleOf(String token) {
        return first.roleOf(token).or(() -> second.roleOf(token));
      }
    };
  }
}
