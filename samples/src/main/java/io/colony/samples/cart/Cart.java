package io.colony.samples.cart;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.persistence.sdk.EntityCommandHandler;
import io.colony.persistence.sdk.EntityContext;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A shopping cart: an {@link OpenCart} takes and gives back items until checkout; a
 * {@link CheckedOutCart} handles no command at all (HTTP 400 {@code unsupported_command}).
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

  /** Every reply and the GET view: items by name (sorted) with their quantities. */
  public record Contents(Map<String, Integer> items, boolean checkedOut) implements CborSerializable {
    public Contents {
      items = Collections.unmodifiableMap(new TreeMap<>(items));
    }
  }

  /** The cart in one of its phases. */
  public sealed interface State extends CborSerializable permits OpenCart, CheckedOutCart {
    Map<String, Integer> items();

    default Contents contents() {
      return new Contents(items(), this instanceof CheckedOutCart);
    }
  }

  /** Items can still be added and removed. */
  public record OpenCart(Map<String, Integer> items) implements State {
    public OpenCart {
      items = Collections.unmodifiableMap(new TreeMap<>(items));
    }

    OpenCart with(String item, int quantity) {
      Map<String, Integer> changed = new TreeMap<>(items);
      if (quantity == 0) {
        changed.remove(item);
      } else {
        changed.put(item, quantity);
      }
      return new OpenCart(changed);
    }
  }

  /** Checked out: the items are final. */
  public record CheckedOutCart(Map<String, Integer> items) implements State {
    public CheckedOutCart {
      items = Collections.unmodifiableMap(new TreeMap<>(items));
    }
  }

  // --- behaviour ---

  public Cart(EntityContext<Command> context) {
    super(context);
  }

  @Override
  public State emptyState() {
    return new OpenCart(Map.of());
  }

  @Override
  protected CborSerializable view(State state) {
    return state.contents();
  }

  @Override
  protected EntityCommandHandler<Command, Event, State> entityCommandHandler() {
    // A checked-out cart registers no handler: whatever arrives is unsupported, nothing changes.
    return newEntityCommandHandlerBuilder().forStateType(OpenCart.class)
        .onCommand(AddItem.class, this::add)
        .onCommand(RemoveItem.class, this::remove)
        .onCommand(Checkout.class, this::checkout)
        .build();
  }

  private ReplyEffect<Event, State> add(OpenCart cart, AddItem add, ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (add.item() == null || add.item().isBlank()) {
      return Effect().reply(replyTo, StatusReply.error("item must not be empty"));
    }
    if (add.quantity() < 1) {
      return Effect().reply(replyTo, StatusReply.error("quantity must be at least 1, not " + add.quantity()));
    }
    int total = cart.items().getOrDefault(add.item(), 0) + add.quantity();
    if (total > MAX_QUANTITY || total < 0) {
      return Effect().reply(replyTo, StatusReply.error("a cart holds at most " + MAX_QUANTITY + " of one item"));
    }
    return Effect().persist(new ItemAdded(add.item(), add.quantity())).thenReply(replyTo, Cart::contents);
  }

  private ReplyEffect<Event, State> remove(OpenCart cart, RemoveItem remove, ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (!cart.items().containsKey(remove.item())) {
      return Effect().reply(replyTo, StatusReply.error("'" + remove.item() + "' is not in the cart"));
    }
    return Effect().persist(new ItemRemoved(remove.item())).thenReply(replyTo, Cart::contents);
  }

  private ReplyEffect<Event, State> checkout(OpenCart cart, Checkout checkout, ActorRef<StatusReply<CborSerializable>> replyTo) {
    if (cart.items().isEmpty()) {
      return Effect().reply(replyTo, StatusReply.error("an empty cart cannot be checked out"));
    }
    return Effect().persist(new CheckedOut()).thenReply(replyTo, Cart::contents);
  }

  private static StatusReply<CborSerializable> contents(State cart) {
    return StatusReply.success(cart.contents());
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    EventHandlerBuilder<State, Event> builder = newEventHandlerBuilder();
    builder.forStateType(OpenCart.class)
        .onEvent(ItemAdded.class, (cart, added) ->
            cart.with(added.item(), cart.items().getOrDefault(added.item(), 0) + added.quantity()))
        .onEvent(ItemRemoved.class, (cart, removed) -> cart.with(removed.item(), 0))
        .onEvent(CheckedOut.class, (cart, checkedOut) -> new CheckedOutCart(cart.items()));
    return builder.build();
  }
}
