package io.colony.persistence.sdk;

import com.typesafe.config.Config;
import io.colony.persistence.CborSerializable;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
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
 *   <li>{@link #emptyState()} and {@link #eventHandler()}, exactly as in Pekko, and
 *   <li>{@link #onCommand}: decide, then {@code Effect().persist(event).thenReply(replyTo, state -> EntityReply.ok(...))},
 *       {@link #reply} without a change, or {@link #reject} with a reason.
 * </ul>
 * and may override {@link #view} (what {@code GET} shows), {@code signalHandler()} (e.g. to
 * resume work on {@code RecoveryCompleted}), {@link #retentionCriteria()} and {@link #tags}.
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

  protected ColonyEntity(EntityContext<C> context) {
    super(context.persistenceId(), restartBackoff(context.settings()));
    this.context = context;
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
   * Handles one command. Every path must end in a reply: after persisting
   * ({@code thenReply}), without a change ({@link #reply}) or as a refusal ({@link #reject}).
   * Commands the entity sends itself come with a {@code replyTo} that drops replies; answer
   * them with {@code Effect().persist(...).thenNoReply()} or {@code Effect().noReply()}.
   */
  protected abstract ReplyEffect<E, S> onCommand(S state, C command, ActorRef<EntityReply> replyTo);

  /**
   * What {@code GET /v1/entities/{type}/{id}} shows as JSON; the state itself unless
   * overridden. {@code null} means the entity does not exist yet (HTTP 404).
   */
  protected CborSerializable view(S state) {
    return state;
  }

  /** Answers without changing anything. */
  protected final ReplyEffect<E, S> reply(ActorRef<EntityReply> replyTo, CborSerializable value) {
    return Effect().reply(replyTo, EntityReply.ok(value));
  }

  /** Refuses the command; nothing is persisted. */
  protected final ReplyEffect<E, S> reject(ActorRef<EntityReply> replyTo, String reason) {
    return Effect().reply(replyTo, EntityReply.rejected(reason));
  }

  @Override
  public final CommandHandlerWithReply<EntityMessage, E, S> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(EntityMessage.Envelope.class, this::onEnvelope)
        .onCommand(EntityMessage.GetState.class, this::onGetState)
        .build();
  }

  private ReplyEffect<E, S> onEnvelope(S state, EntityMessage.Envelope envelope) {
    if (!context.commandClass().isInstance(envelope.command())) {
      return reject(envelope.replyTo(), "'" + context.typeName() + "' entities do not understand "
          + (envelope.command() == null ? "an empty command" : envelope.command().getClass().getSimpleName()));
    }
    return onCommand(state, context.commandClass().cast(envelope.command()), envelope.replyTo());
  }

  private ReplyEffect<E, S> onGetState(S state, EntityMessage.GetState get) {
    return Effect().reply(get.replyTo(), new EntityReply.Ok(view(state)));
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
