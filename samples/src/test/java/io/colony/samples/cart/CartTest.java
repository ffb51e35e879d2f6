package io.colony.samples.cart;

import static io.colony.samples.SampleEntities.run;
import static io.colony.samples.SampleEntities.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityReply;
import io.colony.samples.SampleEntities;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The cart's rules, every refusal included, on the in-memory journal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CartTest {

  private final ActorTestKit testKit = ActorTestKit.create(SampleEntities.config(""));
  private EventSourcedBehaviorTestKit<EntityMessage, Cart.Event, Cart.State> cart;
  private int ids;

  @BeforeEach
  void freshCart() {
    cart = EventSourcedBehaviorTestKit.create(testKit.system(),
        SampleEntities.entity(Cart.TYPE, "cart-" + ids++, Cart.Command.class, Cart::new));
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Cart.State state(Map<String, Integer> items, boolean checkedOut) {
    return new Cart.State(items, checkedOut);
  }

  private void assertRejected(CborSerializable command, String reason) {
    var result = run(cart, command);
    assertEquals(EntityReply.rejected(reason), result.reply());
    assertTrue(result.hasNoEvents(), "a refusal persists nothing");
  }

  @Test
  void addsRemovesAndChecksOut() {
    assertEquals(EntityReply.ok(state(Map.of("pear", 1), false)), run(cart, new Cart.AddItem("pear", 1)).reply());
    run(cart, new Cart.AddItem("apple", 2));
    assertEquals(EntityReply.ok(state(Map.of("apple", 5, "pear", 1), false)), run(cart, new Cart.AddItem("apple", 3)).reply());
    var removed = run(cart, new Cart.RemoveItem("pear"));
    assertEquals(new Cart.ItemRemoved("pear"), removed.event());
    var checkedOut = run(cart, new Cart.Checkout());
    assertEquals(EntityReply.ok(state(Map.of("apple", 5), true)), checkedOut.reply());
    assertEquals(new Cart.CheckedOut(), checkedOut.event());
    assertEquals(EntityReply.ok(state(Map.of("apple", 5), true)), view(cart));
    assertEquals(state(Map.of("apple", 5), true), cart.restart().state());
  }

  @Test
  void itemsAreListedInOrder() {
    run(cart, new Cart.AddItem("b", 1));
    run(cart, new Cart.AddItem("a", 1));
    assertEquals(List.of("a", "b"), List.copyOf(cart.getState().items().keySet()));
  }

  @Test
  void refusesBadItemsAndQuantities() {
    assertRejected(new Cart.AddItem(" ", 1), "item must not be empty");
    assertRejected(new Cart.AddItem(null, 1), "item must not be empty");
    assertRejected(new Cart.AddItem("apple", 0), "quantity must be at least 1, not 0");
    run(cart, new Cart.AddItem("apple", 999));
    assertRejected(new Cart.AddItem("apple", 2), "a cart holds at most 1000 of one item");
    assertRejected(new Cart.AddItem("apple", Integer.MAX_VALUE), "a cart holds at most 1000 of one item");
  }

  @Test
  void refusesToRemoveWhatIsNotThere() {
    assertRejected(new Cart.RemoveItem("ghost"), "'ghost' is not in the cart");
  }

  @Test
  void refusesToCheckOutAnEmptyCart() {
    assertRejected(new Cart.Checkout(), "an empty cart cannot be checked out");
  }

  @Test
  void changesNothingAfterCheckout() {
    run(cart, new Cart.AddItem("apple", 1));
    run(cart, new Cart.Checkout());
    String reason = "the cart is checked out and can no longer change";
    assertRejected(new Cart.AddItem("pear", 1), reason);
    assertRejected(new Cart.RemoveItem("apple"), reason);
    assertRejected(new Cart.Checkout(), reason);
    assertEquals(state(Map.of("apple", 1), true), cart.getState());
  }

  @Test
  void readsItsCommandsFromJson() throws Exception {
    var json = SampleEntities.json(testKit.system());
    assertEquals(new Cart.AddItem("apple", 2), json.readValue("{\"type\":\"add\",\"item\":\"apple\",\"quantity\":2}", Cart.Command.class));
    assertEquals(new Cart.RemoveItem("apple"), json.readValue("{\"type\":\"remove\",\"item\":\"apple\"}", Cart.Command.class));
    assertEquals(new Cart.Checkout(), json.readValue("{\"type\":\"checkout\"}", Cart.Command.class));
  }
}
