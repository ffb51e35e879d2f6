package io.colony.http;

import io.colony.http.ApiTokens.Role;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Bearer-token authorization of the whole API, composed once around it by {@link ApiRoutes}.
 * {@code /alive} and {@code /ready} are always open, {@code /metrics} too when
 * {@code colony.http.metrics-open} is on (for a Prometheus server without a token); GET and HEAD need {@link Role#READ}; PUT,
 * POST and DELETE under {@code /v1/kv}, {@code /v1/tasks}, {@code /v1/workers} and
 * {@code /v1/entities} need {@link Role#WRITE}; any other request needs {@link Role#ADMIN}.
 * Missing or unknown token: 401 with {@code WWW-Authenticate}; a role too weak: 403. Without
 * tokens the API is open.
 */
public final class ApiAuth extends AllDirectives {

  static final String CHALLENGE = "Bearer realm=\"colony\"";
  private static final Set<String> OPEN = Set.of("/alive", "/ready");
  private static final Set<String> OPEN_WITH_METRICS = Set.of("/alive", "/ready", "/metrics");
  private static final Set<String> READ_METHODS = Set.of("GET", "HEAD", "OPTIONS");
  private static final Set<String> DATA = Set.of("kv", "tasks", "workers", "entities");

  private final ApiCredentials tokens;
  private final JsonSupport json;
  private final Set<String> open;

  /** @param metricsOpen {@code colony.http.metrics-open}: {@code /metrics} needs no token */
  public ApiAuth(ApiCredentials tokens, JsonSupport json, boolean metricsOpen) {
    this.tokens = tokens;
    this.json = json;
    this.open = metricsOpen ? OPEN_WITH_METRICS : OPEN;
  }

  public Route authorize(Route inner) {
    if (!tokens.enabled()) {
      return inner;
    }
    return extractRequest(request -> {
      if (open.contains(request.getUri().path())) {
        return inner;
      }
      Optional<String> token = bearerToken(request);
      if (token.isEmpty()) {
        return complete(unauthorized("This request needs an 'Authorization: Bearer <token>' header.", false));
      }
      Optional<Role> role = tokens.roleOf(token.get());
      if (role.isEmpty()) {
        return complete(unauthorized("The bearer token is not valid here: neither one of this node's API tokens nor an "
            + "unexpired JWT with a role, signed by a trusted key.", true));
      }
      Role needed = needed(request);
      if (!role.get().allows(needed)) {
        return complete(json.response(StatusCodes.FORBIDDEN, new ApiError("forbidden", "This token's role '"
            + role.get().label() + "' may not " + request.method().value() + " " + request.getUri().path()
            + "; that needs '" + needed.label() + "'. Nothing was read or changed.")));
      }
      return inner;
    });
  }

  /** The role a request needs (health checks aside). */
  static Role needed(HttpRequest request) {
    if (READ_METHODS.contains(request.method().value())) {
      return Role.READ;
    }
    String[] segments = request.getUri().path().split("/", 4); // "", "v1", resource, rest
    return segments.length >= 3 && "v1".equals(segments[1]) && DATA.contains(segments[2]) ? Role.WRITE : Role.ADMIN;
  }

  private static Optional<String> bearerToken(HttpRequest request) {
    return request.getHeader("Authorization")
        .map(header -> header.value().strip())
        .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(value -> value.substring(7).strip())
        .filter(token -> !token.isEmpty());
  }

  private HttpResponse unauthorized(String message, boolean invalidToken) {
    return json.response(StatusCodes.UNAUTHORIZED, new ApiError("unauthorized", message))
        .addHeader(RawHeader.create("WWW-Authenticate", invalidToken ? CHALLENGE + ", error=\"invalid_token\"" : CHALLENGE));
  }
}
