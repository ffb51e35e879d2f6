package io.colony.http;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the node's one HTTP port and unbinds it during coordinated shutdown. */
public final class HttpServer {

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  private HttpServer() {}

  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, String host, int port, Route route) {
    Config config = system.settings().config();
    warnIfEventStreamsWouldIdleOut(config);
    Duration drain = config.getDuration("colony.http.shutdown-drain");
    return Http.get(system)
        .newServerAt(host, port)
        // Not a setting: RequestTarget needs the request-target as sent to refuse invalid UTF-8.
        .adaptSettings(settings -> settings.withRawRequestUriHeader(true))
        .bind(route)
        .thenApply(binding -> binding.addToCoordinatedShutdown(drain, system));
  }

  private static void warnIfEventStreamsWouldIdleOut(Config config) {
    String idle = config.getString("pekko.http.server.idle-timeout");
    if ("infinite".equals(idle)) {
      return;
    }
    Duration idleTimeout = config.getDuration("pekko.http.server.idle-timeout");
    Duration keepAlive = config.getDuration("colony.http.sse-keep-alive");
    if (keepAlive.compareTo(idleTimeout) >= 0) {
      log.warn("colony.http.sse-keep-alive ({}) is not below pekko.http.server.idle-timeout ({}): quiet "
          + "Server-Sent Events streams will be closed by the idle timeout", keepAlive, idleTimeout);
    }
  }
}
