package io.colony.http;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityCommandHandler;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Test-only entity types that count how often each entity starts: {@code wakeful} remembers
 * its entities, {@code forgetful} does not.
 */
public class WakefulEntityType implements EntityType<WakefulEntityType.Command> {

  /** Starts per "type/id", across every node in this JVM. */
  static final Map<String, Integer> STARTS = new ConcurrentHashMap<>();

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes(@JsonSubTypes.Type(value = Wake.class, name = "wake"))
  public interface Command extends CborSerializable {}

  public record Wake() implements Command {}

  public record Awake(String id) implements CborSerializable {}

  @Override
  public String name() {
    return "wakeful";
  }

  @Override
  public Class<Command> commandClass() {
    return Command.class;
  }

  @Override
  public Behavior<EntityMessage> create(EntityContext<Command> context) {
    return new Counted(context);
  }

  @Override
  public boolean rememberEntities() {
    return true;
  }

  /** The same entity without remember-entities. */
  public static final class Forgetful extends WakefulEntityType {
    @Override
    public String name() {
      return "forgetful";
    }

    @Override
    public boolean rememberEntities() {
      return false;
    }
  }

  private static final class Counted extends ColonyEntity<Command, CborSerializable, Awake> {
    Counted(EntityContext<Command> context) {
      super(context);
    }

    @Override
    public Awake emptyState() {
      return new Awake(context().entityId());
    }

    @Override
    protected EntityCommandHandler<Command, CborSerializable, Awake> entityCommandHandler() {
      return newEntityCommandHandlerBuilder().forAnyState()
          .onCommand(Wake.class, (state, wake, replyTo) -> Effect().reply(replyTo, StatusReply.success(state)))
          .build();
    }

    @Override
    public EventHandler<Awake, CborSerializable> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state);
    }

    @Override
    public SignalHandler<Awake> signalHandler() {
      return newSignalHandlerBuilder()
          .onSignal(RecoveryCompleted.instance(), state -> STARTS.merge(context().typeName() + "/" + state.id(), 1, Integer::sum))
          .build();
    }
  }
}
