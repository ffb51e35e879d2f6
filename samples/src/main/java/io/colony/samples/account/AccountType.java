package io.colony.samples.account;

import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityType;
import org.apache.pekko.actor.typed.Behavior;

/** Declares {@link Account} as entity type {@code account} (listed in META-INF/services). */
public final class AccountType implements EntityType<Account.Command> {

  @Override
  public String name() {
    return Account.TYPE;
  }

  @Override
  public Class<Account.Command> commandClass() {
    return Account.Command.class;
  }

  @Override
  public Behavior<EntityMessage> create(EntityContext<Account.Command> context) {
    return new Account(context);
  }
}
