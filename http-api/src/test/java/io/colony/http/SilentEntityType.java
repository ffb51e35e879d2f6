package io.colony.http;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityCommandHandler;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityType;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;

/**
 * A test-only entity type that never answers, so the HTTP API's 503 on an ask timeout can be
 * shown; its {@code samples} command is larger as CBOR than as JSON, so the check that a command
 * fits an Artery frame can be shown too (a 413 at once, not a 503 after the ask timeout).
 */
public final class SilentEntityType implements EntityType<SilentEntityType.Command> {

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = Ignore.class, name = "ignore"),
      @JsonSubTypes.Type(value = Samples.class, name = "samples")})
  public interface Command extends CborSerializable {}

  public record Ignore() implements Command {}

  /** A JSON {@code 1} is 2 bytes with its comma; as a CBOR double it is 9. */
  public record Samples(double[] values) implements Command {}

  public record Nothing() implements CborSerializable {}

  @Override
  public String name() {
    return "silent";
  }

  @Override
  public Class<Command> commandClass() {
    return Command.class;
  }

  @Override
  public Behavior<EntityMessage> create(EntityContext<Command> context) {
    return new Silent(context);
  }

  private static final class Silent extends ColonyEntity<Command, CborSerializable, Nothing> {
    Silent(EntityContext<Command> context) {
      super(context);
    }

    @Override
    public Nothing emptyState() {
      return new Nothing();
    }

    @Override
    protected EntityCommandHandler<Command, CborSerializable, Nothing> entityCommandHandler() {
      return newEntityCommandHandlerBuilder().forAnyState()
          .onCommand(Command.class, (state, command, replyTo) -> Effect().noReply())
          .build();
    }

    @Override
    public EventHandler<Nothing, CborSerializable> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state);
    }
  }
}
