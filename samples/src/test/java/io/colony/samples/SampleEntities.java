package io.colony.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityRefs;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/** Runs a sample entity alone on the in-memory journal, as Colony's sharding would create it. */
public final class SampleEntities {

  private static final ObjectMapper TREES = new ObjectMapper();

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

  /** Sends a command in its envelope, as a named JSON tree like the HTTP API's, and returns the reply. */
  public static <E, S> EventSourcedBehaviorTestKit.CommandResultWithReply<EntityMessage, E, S, StatusReply<CborSerializable>> run(
      EventSourcedBehaviorTestKit<EntityMessage, E, S> entity, CborSerializable command) {
    // The tree holds only the command's fields and type name; any mapper builds the same one.
    return entity.runCommand(replyTo -> new EntityMessage.Envelope(TREES.valueToTree(command), replyTo));
  }

  /** The GET view. */
  public static <E, S> StatusReply<CborSerializable> view(EventSourcedBehaviorTestKit<EntityMessage, E, S> entity) {
    return entity.<StatusReply<CborSerializable>>runCommand(EntityMessage.GetState::new).reply();
  }

  /** The JSON mapper Colony's HTTP API reads commands with. */
  public static ObjectMapper json(ActorSystem<?> system) {
    return JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
  }
}
