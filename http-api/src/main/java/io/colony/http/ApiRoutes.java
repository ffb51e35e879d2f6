package io.colony.http;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** Every resource of the HTTP API, wrapped in the JSON error model. */
public final class ApiRoutes extends AllDirectives {

  private final ActorSystem<?> system;

  public ApiRoutes(ActorSystem<?> system) {
    this.system = system;
  }

  public Route routes() {
    Config http = system.settings().config().getConfig("colony.http");
    JsonSupport json = new JsonSupport(system);
    ErrorHandling errors = new ErrorHandling(json, http.getDuration("retry-after"));
    return errors.handle(concat(
        new HealthRoutes(system, json).routes(),
        new ClusterRoutes(system, json, http.getDuration("sse-keep-alive")).routes()));
  }
}
