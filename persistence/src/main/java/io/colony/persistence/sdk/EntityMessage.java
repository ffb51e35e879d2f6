package io.colony.persistence.sdk;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a Colony entity receives. Callers (the HTTP API, other entities) wrap each command in an
 * {@link Envelope} with the address of the answer; {@link ColonyEntity} unwraps it.
 */
public sealed interface EntityMessage extends CborSerializable permits EntityMessage.Envelope, EntityMessage.GetState {

  /**
   * A command and where to send its {@link EntityReply}.
   *
   * @param command one of the entity type's commands; across nodes it travels with its class
   *     name, which must implement {@link CborSerializable}
   */
  record Envelope(
      @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@class") CborSerializable command,
      ActorRef<EntityReply> replyTo)
      implements EntityMessage {}

  /** Asks for the entity's state as {@link ColonyEntity#view} shows it. */
  record GetState(ActorRef<EntityReply> replyTo) implements EntityMessage {}
}
