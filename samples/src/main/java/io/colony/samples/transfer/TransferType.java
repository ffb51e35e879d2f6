package io.colony.samples.transfer;

import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityType;
import org.apache.pekko.actor.typed.Behavior;

/**
 * Declares {@link Transfer} as entity type {@code transfer} (listed in META-INF/services). It
 * remembers entities, so pending transfers restart on their own after a crash.
 */
public final class TransferType implements EntityType<Transfer.Command> {

  @Override
  public String name() {
    return Transfer.TYPE;
  }

  @Override
  public Class<Transfer.Command> commandClass() {
    return Transfer.Command.class;
  }

  @Override
  public Behavior<EntityMessage> create(EntityContext<Transfer.Command> context) {
    return new Transfer(context);
  }

  @Override
  public boolean rememberEntities() {
    return true;
  }
}
