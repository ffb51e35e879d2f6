package io.colony.persistence.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.colony.persistence.CborSerializable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.slf4j.Logger;

/**
 * One entity's view of its surroundings: who it is, its settings, and how it reaches other
 * entities and itself. Colony creates it for every entity incarnation and passes it to
 * {@link EntityType#create}. Like the {@link ActorContext} it wraps, use it only from the
 * entity's own handlers (never from a future's callback).
 *
 * @param <C> the entity type's command interface
 */
public final class EntityContext<C extends CborSerializable> {

  /** Where entity settings live: {@code defaults}, laid under {@code types.<name>}. */
  public static final String SETTINGS_PATH = "colony.persistence.entities";

  private final ActorContext<EntityMessage> actorContext;
  private final String typeName;
  private final String entityId;
  private final Class<C> commandClass;
  private final Config settings;
  private final EntityRefs entityRefs;
  private final Runnable passivation;
  private final Duration askTimeout;
  private final CommandCodec codec;

  private EntityContext(ActorContext<EntityMessage> actorContext, String typeName, String entityId,
      Class<C> commandClass, Config settings, EntityRefs entityRefs, Runnable passivation) {
    this.actorContext = actorContext;
    this.typeName = typeName;
    this.entityId = entityId;
    this.commandClass = commandClass;
    this.settings = settings;
    this.entityRefs = entityRefs;
    this.passivation = passivation;
    this.askTimeout = settings.getDuration("ask-timeout");
    this.codec = CommandCodec.get(actorContext.getSystem());
  }

  /**
   * Colony's sharding calls this for every entity; tests call it to run an entity alone, with
   * {@code entityRefs} pointing at test probes.
   *
   * @param passivation asks sharding to stop this entity (see {@link #passivate()})
   */
  public static <C extends CborSerializable> EntityContext<C> create(ActorContext<EntityMessage> actorContext,
      String typeName, String entityId, Class<C> commandClass, EntityRefs entityRefs, Runnable passivation) {
    Config settings = settingsFor(actorContext.getSystem().settings().config(), typeName);
    return new EntityContext<>(actorContext, typeName, entityId, commandClass, settings, entityRefs, passivation);
  }

  /**
   * The settings of type {@code typeName}: {@code colony.persistence.entities.types.<name>}
   * laid over {@code colony.persistence.entities.defaults}.
   */
  public static Config settingsFor(Config config, String typeName) {
    Config entities = config.getConfig(SETTINGS_PATH);
    Config defaults = entities.getConfig("defaults");
    String own = "types." + typeName;
    return entities.hasPath(own) ? entities.getConfig(own).withFallback(defaults) : defaults;
  }

  /** The entity type's name. */
  public String typeName() {
    return typeName;
  }

  /** This entity's id within its type. */
  public String entityId() {
    return entityId;
  }

  /** The entity type's command interface. */
  public Class<C> commandClass() {
    return commandClass;
  }

  /** {@code <type>|<id>}: the id of this entity's journal. */
  public PersistenceId persistenceId() {
    return PersistenceId.of(typeName, entityId);
  }

  /**
   * This type's settings (see {@link #settingsFor}): {@code snapshot-every},
   * {@code keep-snapshots}, {@code ask-timeout}, {@code restart-backoff.*}, and any keys the
   * type's own {@code reference.conf} adds under {@code colony.persistence.entities.types.<name>}.
   */
  public Config settings() {
    return settings;
  }

  /** The entity's actor context: its self reference, its scheduler, its children. */
  public ActorContext<EntityMessage> actorContext() {
    return actorContext;
  }

  /** The entity's logger. */
  public Logger log() {
    return actorContext.getLog();
  }

  /**
   * Another entity, of this type or any other registered one.
   *
   * @throws IllegalArgumentException when no such type is registered
   */
  public RecipientRef<EntityMessage> entityRef(String typeName, String entityId) {
    return entityRefs.entityRef(typeName, entityId);
  }

  /**
   * Sends {@code command} to another entity and completes with the value of its
   * {@code StatusReply.success}, like Pekko's {@code askWithStatus}. It fails with a
   * {@link org.apache.pekko.pattern.StatusReply.ErrorMessage} when the entity refuses (its reason
   * is the message), an {@link UnsupportedCommandException} when the entity does not handle the
   * command in its state, a {@link java.util.concurrent.TimeoutException} after
   * {@code ask-timeout}, or an {@link IllegalArgumentException} for an unknown type. A timeout
   * says nothing about whether the command was carried out: retry with an id the target
   * deduplicates by. Feed the result back with {@link #pipeToSelf}.
   *
   * @param command one of the target type's listed commands (in its {@code @JsonSubTypes})
   */
  public CompletionStage<CborSerializable> ask(String typeName, String entityId, CborSerializable command) {
    RecipientRef<EntityMessage> target;
    try {
      target = entityRef(typeName, entityId);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    JsonNode tree = codec.encode(command);
    CompletionStage<CborSerializable> reply = AskPattern.askWithStatus(target,
        replyTo -> new EntityMessage.Envelope(tree, replyTo), askTimeout, actorContext.getSystem().scheduler());
    // Pekko's stages run even plain callbacks on the common pool, which on a machine with two
    // cores starts a thread per call; a plain future completed on the dispatcher avoids that.
    CompletableFuture<CborSerializable> onDispatcher = new CompletableFuture<>();
    reply.whenCompleteAsync((value, failure) -> {
      if (failure != null) {
        onDispatcher.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure);
      } else {
        onDispatcher.complete(value);
      }
    }, actorContext.getExecutionContext());
    return onDispatcher;
  }

  /**
   * When {@code stage} completes, turns its value or failure into a command to this entity. The
   * command reaches the entity's handler for it with a reply address that drops replies; it
   * may be a command clients cannot send (one left out of {@code @JsonSubTypes}).
   */
  public <T> void pipeToSelf(CompletionStage<T> stage, BiFunction<T, Throwable, C> toCommand) {
    actorContext.pipeToSelf(stage, (value, failure) -> new SelfCommand(toCommand.apply(value, failure)));
  }

  /** Sends {@code command} to this entity after {@code delay} (lost if the entity stops first). */
  public void scheduleOnce(Duration delay, C command) {
    actorContext.scheduleOnce(delay, actorContext.getSelf(), new SelfCommand(command));
  }

  /**
   * Asks sharding to stop this entity; messages that arrive meanwhile are kept for its next
   * incarnation. Types that {@linkplain EntityType#rememberEntities remember entities} use this
   * once an entity is done; others are passivated when idle anyway.
   */
  public void passivate() {
    passivation.run();
  }
}
