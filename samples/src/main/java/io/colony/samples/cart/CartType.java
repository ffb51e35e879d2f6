package io.colony.samples.cart;

import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityType;
import org.apache.pekko.actor.typed.Behavior;

/** Declares {@link Cart} as entity type {@code cart} (listed in META-INF/services). */
public final class CartType implements EntityType<Cart.Command> {

  @Override
  public String name() {
    return Cart.TYPE;
  }

  @Override
  public Class<Cart.Command> commandClass() {
    return Cart.Command.class;
  }

  @Override
  public Behavior<EntityMessage> create(EntityContext<Cart.Command> context) {
    return new Cart(context);
  }
}
