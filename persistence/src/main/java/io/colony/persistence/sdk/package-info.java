/**
 * The entity SDK: what a developer implements to add an entity type to Colony.
 *
 * <p>An entity type is declared once, by an {@link io.colony.persistence.sdk.EntityType}
 * listed in {@code META-INF/services/io.colony.persistence.sdk.EntityType} of the jar that
 * holds it. Any node that has the jar on its classpath (for {@code bin/colony}: a jar in the
 * {@code COLONY_EXTENSIONS} folder) runs the type as a sharded, event-sourced entity, reachable
 * at {@code POST/GET /v1/entities/{type}/{id}} on every node.
 *
 * <ul>
 *   <li>{@link io.colony.persistence.sdk.ColonyEntity}: the base class of a behaviour, a thin
 *       layer over Pekko's {@code EventSourcedBehaviorWithEnforcedReplies}.
 *   <li>{@link io.colony.persistence.sdk.EntityCommandHandlerBuilder}: the entity's commands
 *       per state type, in the shape of Pekko's {@code forStateType(...).onCommand(...)}.
 *   <li>{@link io.colony.persistence.sdk.EntityMessage}: what a Colony entity receives (a
 *       command in an envelope with its reply address, or a request for its state). Every
 *       answer is Pekko's {@code StatusReply}: {@code success(value)} or {@code error(reason)};
 *       a command the entity does not handle in its state gets an error with an
 *       {@link io.colony.persistence.sdk.UnsupportedCommandException}.
 *   <li>{@link io.colony.persistence.sdk.EntityContext}: the entity's id and settings, and its
 *       way to reach other entities.
 * </ul>
 *
 * <p>Commands are JSON objects whose {@code "type"} field names the command: annotate the
 * command interface with {@code @JsonTypeInfo(use = NAME, property = "type")} and
 * {@code @JsonSubTypes}. Commands, events, state and reply values implement
 * {@link io.colony.persistence.CborSerializable}: they cross nodes and go to the journal.
 * See {@code docs/entities.md} for a walk-through.
 */
package io.colony.persistence.sdk;
