package io.colony.persistence.sdk;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;

/**
 * A command an entity sends itself ({@link EntityContext#pipeToSelf}, {@link EntityContext#scheduleOnce}).
 * It never leaves the entity's node, so it carries the command object as is, including commands
 * the type does not list for clients.
 */
record SelfCommand(Object command) implements EntityMessage, NoSerializationVerificationNeeded {}
