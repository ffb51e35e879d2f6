package io.colony.persistence.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.typesafe.config.Config;
import io.colony.persistence.CborSerializable;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The base class of an entity behaviour: Pekko's {@link EventSourcedBehaviorWithEnforcedReplies}
 * with Colony's envelope unwrapped. A subclass implements
 * <ul>
 *   <li>{@link #emptyState()} and {@link #eventHandler()}, exactly as in Pekko (per state type
 *       with {@code newEventHandlerBuilder().forStateType(...)} where the phases differ), and
 *   <li>{@link #entityCommandHandler()}: per state type, which commands it handles and how, built
 *       like Pekko's command handler ({@code builder.forStateType(Open.class).onCommand(Deposit.class, this::deposit)}).
 *       Every handler ends in a reply: {@code StatusReply.success(value)} after persisting or
 *       without a change, or {@code StatusReply.error(reason)} to refuse.
 * </ul>
 * and may override {@link #view} (what {@code GET} shows), {@code signalHandler()} (e.g. to
 * resume work on {@code RecoveryCompleted}), {@link #retentionCriteria()} and {@link #tags}.
 *
 * <p>A command with no handler in the current state is answered with an
 * {@link UnsupportedCommandException} (HTTP 400) and changes nothing; so is a command that is
 * not one of the type's listed commands.
 *
 * <p>The persistence id is {@code <type>|<id>}; the journal keeps events, and by default a
 * snapshot every {@code snapshot-every} events, deleting what is older than
 * {@code keep-snapshots} snapshots. A failing journal restarts the entity with backoff. Every
 * event carries the tag {@link #TAG}, which the listing of entity ids follows.
 *
 * @param <C> the command interface
 * @param <E> the event interface
 * @param <S> the state
 */
public abstract class ColonyEntity<C extends CborSerializable, E extends CborSerializable, S extends CborSerializable>
    extends EventSourcedBehaviorWithEnforcedReplies<EntityMessage, E, S> {

  /** The tag of every event of every entity type: {@code GET /v1/entities/{type}} lists ids from it. */
  public static final String TAG = "entities";

  private final EntityContext<C> context;
  private final CommandCodec codec;

  protected ColonyEntity(EntityContext<C> context) {
    super(context.persistenceId(), restartBackoff(context.settings()));
    this.context = context;
    this.codec = CommandCodec.get(context.actorContext().getSystem());
  }

  private static BackoffSupervisorStrategy restartBackoff(Config settings) {
    return SupervisorStrategy.restartWithBackoff(
        settings.getDuration("restart-backoff.min"),
        settings.getDuration("restart-backoff.max"),
        settings.getDouble("restart-backoff.random-factor"));
  }

  /** Who this entity is, its settings, and its way to other entities. */
  protected final EntityContext<C> context() {
    return context;
  }

  /**
   * The entity's commands per state. Commands the entity sends itself come with a
   * {@code replyTo} that drops replies; answer them with {@code Effect().persist(...).thenNoReply()}
   * or {@code Effect().noReply()}.
   */
  protected abstract EntityCommandHandler<C, E, S> entityCommandHandler();

  /** A new builder for {@link #entityCommandHandler()}. */
  protected final EntityCommandHandlerBuilder<C, E, S> newEntityCommandHandlerBuilder() {
    return new EntityCommandHandlerBuilder<>();
  }

  /**
   * What {@code GET /v1/entities/{type}/{id}} shows as JSON; the state itself unless
   * overridden. {@code null} means the entity does not exist yet (HTTP 404).
   */
  protected CborSerializable view(S state) {
    return state;
  }

  @Override
  public final CommandHandlerWithReply<EntityMessage, E, S> commandHandler() {
    EntityCommandHandler<C, E, S> handler = entityCommandHandler();
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(EntityMessage.Envelope.class, (state, envelope) -> onEnvelope(handler, state, envelope))
        .onCommand(SelfCommand.class, (state, self) -> onSelfCommand(handler, state, self))
        .onCommand(EntityMessage.GetState.class, this::onGetState)
        .build();
  }

  private ReplyEffect<E, S> onEnvelope(EntityCommandHandler<C, E, S> handler, S state, EntityMessage.Envelope envelope) {
    C command;
    try {
      command = codec.decode(envelope.command(), context.commandClass());
    } catch (JsonProcessingException e) {
      // Only another entity can send this: the HTTP API reads commands with the same class first.
      return unsupported(envelope.replyTo(), "'" + context.typeName() + "' entities do not understand the command: "
          + e.getOriginalMessage());
    }
    if (command == null) {
      return unsupported(envelope.replyTo(), "'" + context.typeName() + "' entities need a command, not null");
    }
    ReplyEffect<E, S> effect = handler.apply(state, command, envelope.replyTo());
    return effect != null ? effect : unsupported(envelope.replyTo(), notHandled(state, command));
  }

  private ReplyEffect<E, S> onSelfCommand(EntityCommandHandler<C, E, S> handler, S state, SelfCommand self) {
    ReplyEffect<E, S> effect = handler.apply(state, self.command(), context.actorContext().getSystem().ignoreRef());
    if (effect != null) {
      return effect;
    }
    // A bug in the entity, not in a client: said loudly, and the command is dropped.
    context.log().error("{}; the command is dropped", notHandled(state, self.command()));
    return Effect().unhandled().thenNoReply();
  }

  private String notHandled(S state, Object command) {
    return "'" + context.typeName() + "' entities in state " + state.getClass().getSimpleName()
        + " do not handle " + command.getClass().getSimpleName();
  }

  private ReplyEffect<E, S> unsupported(ActorRef<StatusReply<CborSerializable>> replyTo, String message) {
    return Effect().reply(replyTo, StatusReply.error(new UnsupportedCommandException(message)));
  }

  private ReplyEffect<E, S> onGetState(S state, EntityMessage.GetState get) {
    return Effect().reply(get.replyTo(), StatusReply.success(view(state)));
  }

  /** Tags of the entity's own for an event, beside {@link #TAG}; none unless overridden. */
  protected Set<String> tags(E event) {
    return Set.of();
  }

  /** {@link #TAG} and the entity's own {@link #tags}: the listing must see every entity. */
  @Override
  public final Set<String> tagsFor(E event) {
    Set<String> own = tags(event);
    if (own.isEmpty()) {
      return Set.of(TAG);
    }
    Set<String> all = new HashSet<>(own);
    all.add(TAG);
    return all;
  }

  /** A snapshot every {@code snapshot-every} events; older events and snapshots are deleted. */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(
            context.settings().getInt("snapshot-every"), context.settings().getInt("keep-snapshots"))
        .withDeleteEventsOnSnapshot();
  }
}
