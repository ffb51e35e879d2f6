package io.colony.persistence.sdk;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import java.util.Objects;

/**
 * Every answer of a Colony entity: {@link Ok} with a value (HTTP 200 with the value as JSON) or
 * {@link Rejected} with a reason for people (HTTP 422, {@code {"error":"rejected","message":reason}}).
 */
public sealed interface EntityReply extends CborSerializable permits EntityReply.Ok, EntityReply.Rejected {

  /**
   * The command was carried out (or the state was read).
   *
   * @param value the answer; {@code null} only in the answer to {@link EntityMessage.GetState}
   *     of an entity whose {@link ColonyEntity#view} says it does not exist (HTTP 404)
   */
  record Ok(@JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@class") CborSerializable value)
      implements EntityReply {}

  /** The entity refused the command by a rule of its own; nothing changed. */
  record Rejected(String reason) implements EntityReply {}

  /** A successful answer carrying {@code value} (a record implementing {@link CborSerializable}). */
  static EntityReply ok(CborSerializable value) {
    return new Ok(Objects.requireNonNull(value, "an ok reply needs a value"));
  }

  /** A refusal; {@code reason} is shown to the client as is. */
  static EntityReply rejected(String reason) {
    return new Rejected(Objects.requireNonNull(reason, "a rejection needs a reason"));
  }
}
