package io.colony.http;

import com.typesafe.config.Config;
import io.colony.runtime.ClusterJoin;
import io.colony.runtime.NodeConfig;
import io.colony.runtime.NodeSettings;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;

/** One running node: its ActorSystem, its cluster membership and its HTTP API. */
public final class ColonyNode {

  private final ActorSystem<Void> system;
  private final CompletionStage<ServerBinding> binding;

  private ColonyNode(ActorSystem<Void> system, CompletionStage<ServerBinding> binding) {
    this.system = system;
    this.binding = binding;
  }

  /** Starts a node from a fully loaded configuration (see {@link NodeConfig#load}). */
  public static ColonyNode start(Config config) {
    NodeSettings settings = NodeSettings.from(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), NodeConfig.SYSTEM_NAME, config);
    ClusterJoin.start(system, settings);
    CompletionStage<ServerBinding> binding =
        HttpServer.start(system, settings.host(), settings.httpPort(), new ApiRoutes(system).routes());
    return new ColonyNode(system, binding);
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public CompletionStage<ServerBinding> binding() {
    return binding;
  }
}
