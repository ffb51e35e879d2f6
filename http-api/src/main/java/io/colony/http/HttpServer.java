package io.colony.http;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;

/** Binds the node's one HTTP port and unbinds it during coordinated shutdown. */
public final class HttpServer {

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, String host, int port, Route route) {
    Duration drain = system.settings().config().getDuration("colony.http.shutdown-drain");
    return Http.get(system)
        .newServerAt(host, port)
        .bind(route)
        .thenApply(binding -> binding.addToCoordinatedShutdown(drain, system));
  }
}
