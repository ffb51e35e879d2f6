package io.colony.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityRefs;
import io.colony.persistence.sdk.EntityReply;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/** Runs a sample entity alone on the in-memory journal, as Colony's sharding would create it. */
public final class SampleEntities {

  private SampleEntities() {}

  /** The in-memory journal and snapshot store, over {@code overrides} and the samples' reference.conf. */
  public static Config config(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(EventSourcedBehaviorTestKit.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load());
  }

  /** One entity; other entities are whatever {@code refs} says, passivation runs {@code passivate}. */
  public static <C extends CborSerializable> Behavior<EntityMessage> entity(String type, String id, Class<C> commandClass,
      Function<EntityContext<C>, Behavior<EntityMessage>> create, EntityRefs refs, Runnable passivate) {
    return Behaviors.setup(ctx -> create.apply(EntityContext.create(ctx, type, id, commandClass, refs, passivate)));
  }

  /** An entity that reaches no other entity. */
  public static <C extends CborSerializable> Behavior<EntityMessage> entity(String type, String id, Class<C> commandClass,
      Function<EntityContext<C>, Behavior<EntityMessage>> create) {
    return entity(type, id, commandClass, create, (t, i) -> {
      throw new IllegalArgumentException("no entity type '" + t + "' in this test");
    }, () -> { });
  }

  /** Sends a command in its envelope and returns the reply. */
  public static <E, S> EventSourcedBehaviorTestKit.CommandResultWithReply<EntityMessage, E, S, EntityReply> run(
      EventSourcedBehaviorTestKit<EntityMessage, E, S> entity, CborSerializable command) {
    return entity.runCommand(replyTo -> new EntityMessage.Envelope(command, replyTo));
  }

  /** The GET view. */
  public static <E, S> EntityReply view(EventSourcedBehaviorTestKit<EntityMessage, E, S> entity) {
    return entity.<EntityReply>runCommand(EntityMessage.GetState::new).reply();
  }

  /** The JSON mapper Colony's HTTP API reads commands with. */
  public static ObjectMapper json(ActorSystem<?> system) {
    return JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
  }
}
