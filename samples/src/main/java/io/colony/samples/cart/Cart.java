package io.colony.samples.cart;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityContext;
import io.colony.persistence.sdk.EntityReply;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A shopping cart: add and remove items until checkout; after checkout it changes no more.
 * Replies and GET show {@code {"items":{"apple":2},"checkedOut":false}}.
 */
public final class Cart extends ColonyEntity<Cart.Command, Cart.Event, Cart.State> {

  public static final String TYPE = "cart";
  /** Most of one item a cart holds. */
  static final int MAX_QUANTITY = 1000;

  // --- protocol ---

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = AddItem.class, name = "add"),
    @JsonSubTypes.Type(value = RemoveItem.class, name = "remove"),
    @JsonSubTypes.Type(value = Checkout.class, name = "checkout")
  })
  public sealed interface Command extends CborSerializable permits AddItem, RemoveItem, Checkout {}

  /** Adds {@code quantity} (at least 1) of {@code item}; adding an item again adds to its quantity. */
  public record AddItem(String item, int quantity) implements Command {}

  /** Takes {@code item} out of the cart entirely. */
  public record RemoveItem(String item) implements Command {}

  /** Closes the cart for good. */
  public record Checkout() implements Command {}

  public sealed interface Event extends CborSerializable permits ItemAdded, ItemRemoved, CheckedOut {}

  public record ItemAdded(String item, int quantity) implements Event {}

  public record ItemRemoved(String item) implements Event {}

  public record CheckedOut() implements Event {}

  /** The cart: items by name (sorted) with their quantities. */
  public record State(Map<String, Integer> items, boolean checkedOut) implements CborSerializable {
    public State {
      items = Collections.unmodifiableMap(new TreeMap<>(items));
    }

    State with(String item, int quantity) {
      Map<String, Integer> changed = new TreeMap<>(items);
      if (quantity == 0) {
        changed.remove(item);
      } else {
        changed.put(item, quantity);
      }
      return new State(changed, checkedOut);
    }
  }

  // --- behaviour ---

  public Cart(EntityContext<Command> context) {
    super(context);
  }

  @Override
  public State emptyState() {
    return new State(Map.of(), false);
  }

  @Override
  protected ReplyEffect<Event, State> onCommand(State state, Command command, ActorRef<EntityReply> replyTo) {
    if (state.checkedOut()) {
      return reject(replyTo, "the cart is checked out and can no longer change");
    }
    if (command instanceof AddItem add) {
      return onAdd(state, add, replyTo);
    }
    if (command instanceof RemoveItem remove) {
      return onRemove(state, remove, replyTo);
    }
    return onCheckout(state, replyTo);
  }

  private ReplyEffect<Event, State> onAdd(State state, AddItem add, ActorRef<EntityReply> replyTo) {
    if (add.item() == null || add.item().isBlank()) {
      return reject(replyTo, "item must not be empty");
    }
    if (add.quantity() < 1) {
      return reject(replyTo, "quantity must be at least 1, not " + add.quantity());
    }
    int total = state.items().getOrDefault(add.item(), 0) + add.quantity();
    if (total > MAX_QUANTITY || total < 0) {
      return reject(replyTo, "a cart holds at most " + MAX_QUANTITY + " of one item");
    }
    return Effect().persist(new ItemAdded(add.item(), add.quantity())).thenReply(replyTo, EntityReply::ok);
  }

  private ReplyEffect<Event, State> onRemove(State state, RemoveItem remove, ActorRef<EntityReply> replyTo) {
    if (!state.items().containsKey(remove.item())) {
      return reject(replyTo, "'" + remove.item() + "' is not in the cart");
    }
    return Effect().persist(new ItemRemoved(remove.item())).thenReply(replyTo, EntityReply::ok);
  }

  private ReplyEffect<Event, State> onCheckout(State state, ActorRef<EntityReply> replyTo) {
    if (state.items().isEmpty()) {
      return reject(replyTo, "an empty cart cannot be checked out");
    }
    return Effect().persist(new CheckedOut()).thenReply(replyTo, EntityReply::ok);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(ItemAdded.class, (state, added) ->
            state.with(added.item(), state.items().getOrDefault(added.item(), 0) + added.quantity()))
        .onEvent(ItemRemoved.class, (state, removed) -> state.with(removed.item(), 0))
        .onEvent(CheckedOut.class, (state, checkedOut) -> new State(state.items(), true))
        .build();
  }
}
