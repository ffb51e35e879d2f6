package com.example.guestbook;

import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityType;
import org.apache.pekko.actor.typed.Behavior;

/** Tells Colony about the guest book: its name in URLs, its commands, its behaviour. */
public final class GuestbookType implements EntityType<Guestbook.Command> {

  @Override
  public String name() {
    return "guestbook";
  }

  @Override
  public Class<Guestbook.Command> commandClass() {
    return Guestbook.Command.class;
  }

  @Override
  public Behavior<EntityMessage> create(EntityContext<Guestbook.Command> context) {
    return new Guestbook(context);
  }
}
