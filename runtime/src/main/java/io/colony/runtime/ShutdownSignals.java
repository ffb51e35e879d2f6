package io.colony.runtime;

import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into Pekko's coordinated shutdown (leave the cluster, hand off
 * shards, unbind HTTP), after which {@code pekko.coordinated-shutdown.exit-jvm} ends the JVM
 * with exit code 0. The JVM's default handler would run the same steps from a shutdown hook
 * but exit with 143, which a supervisor reads as a crash.
 */
public final class ShutdownSignals {

  private ShutdownSignals() {}

  public static void install(ActorSystem<?> system) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> CoordinatedShutdown.get(system).run(SignalReason.INSTANCE));
    }
  }

  /** Why coordinated shutdown ran, as shown in the logs. */
  enum SignalReason implements CoordinatedShutdown.Reason {
    INSTANCE
  }
}
