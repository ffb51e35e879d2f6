package io.colony.samples.counter;

import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityType;
import org.apache.pekko.actor.typed.Behavior;

/** Declares {@link Counter} as entity type {@code counter} (listed in META-INF/services). */
public final class CounterType implements EntityType<Counter.Command> {

  @Override
  public String name() {
    return Counter.TYPE;
  }

  @Override
  public Class<Counter.Command> commandClass() {
    return Counter.Command.class;
  }

  @Override
  public Behavior<EntityMessage> create(EntityContext<Counter.Command> context) {
    return new Counter(context);
  }
}
