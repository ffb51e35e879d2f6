package io.colony.persistence.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.persistence.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a Colony entity receives. Callers (the HTTP API, other entities) wrap each command in an
 * {@link Envelope} with the address of the answer; {@link ColonyEntity} unwraps it and hands it to
 * the entity's {@link EntityCommandHandler}.
 */
public sealed interface EntityMessage permits EntityMessage.Envelope, EntityMessage.GetState, SelfCommand {

  /**
   * A command and where to send its answer: {@code StatusReply.success(value)}, or
   * {@code StatusReply.error(reason)} for a refusal, or an error with an
   * {@link UnsupportedCommandException} for a command the entity does not handle in its state.
   *
   * @param command the command as a JSON tree (CBOR between nodes) with its own {@code "type"}
   *     name; the receiving entity reads it as its type's command interface, so no class name
   *     travels and only commands the type lists in {@code @JsonSubTypes} can arrive
   */
  record Envelope(JsonNode command, ActorRef<StatusReply<CborSerializable>> replyTo)
      implements EntityMessage, CborSerializable {}

  /**
   * Asks for the entity's state as {@link ColonyEntity#view} shows it: a success whose value is
   * {@code null} while the entity does not exist.
   */
  record GetState(ActorRef<StatusReply<CborSerializable>> replyTo) implements EntityMessage, CborSerializable {}
}
