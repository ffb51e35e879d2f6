package io.colony.samples.cart;

import static io.colony.samples.SampleEntities.run;
import static io.colony.samples.SampleEntities.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.UnsupportedCommandException;
import io.colony.samples.SampleEntities;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cart's rules, every refusal included, on the in-memory journal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class CartTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(SampleEntities.config("")).build();
  private EventSourcedBehaviorTestKit<EntityMessage, Cart.Event, Cart.State> cart;
  private int ids;

  @BeforeEach
  void freshCart() {
    cart = EventSourcedBehaviorTestKit.create(testKit.system(),
        SampleEntities.entity(Cart.TYPE, "cart-" + ids++, Cart.Command.class, Cart::new));
  }


  private static StatusReply<CborSerializable> contents(Map<String, Integer> items, boolean checkedOut) {
    return StatusReply.success(new Cart.Contents(items, checkedOut));
  }

  private void assertRejected(CborSerializable command, String reason) {
    var result = run(cart, command);
    assertEquals(StatusReply.error(reason), result.reply());
    assertTrue(result.hasNoEvents(), "a refusal persists nothing");
  }

  private void checkedOutWithAnApple() {
    run(cart, new Cart.AddItem("apple", 1));
    run(cart, new Cart.Checkout());
  }

  @Test
  void anAddedItemIsInTheReply() {
    var added = run(cart, new Cart.AddItem("pear", 1));
    assertEquals(contents(Map.of("pear", 1), false), added.reply());
    assertEquals(new Cart.ItemAdded("pear", 1), added.event());
  }

  @Test
  void addingAnItemAgainAddsToItsQuantity() {
    run(cart, new Cart.AddItem("apple", 2));
    assertEquals(contents(Map.of("apple", 5), false), run(cart, new Cart.AddItem("apple", 3)).reply());
  }

  @Test
  void aRemovedItemIsGone() {
    run(cart, new Cart.AddItem("apple", 2));
    run(cart, new Cart.AddItem("pear", 1));
    var removed = run(cart, new Cart.RemoveItem("pear"));
    assertEquals(new Cart.ItemRemoved("pear"), removed.event());
    assertEquals(contents(Map.of("apple", 2), false), removed.reply());
  }

  @Test
  void checkoutTurnsTheCartIntoACheckedOutCart() {
    run(cart, new Cart.AddItem("apple", 5));
    var checkedOut = run(cart, new Cart.Checkout());
    assertEquals(new Cart.CheckedOut(), checkedOut.event());
    assertEquals(contents(Map.of("apple", 5), true), checkedOut.reply());
    assertEquals(new Cart.CheckedOutCart(Map.of("apple", 5)), checkedOut.state());
  }

  @Test
  void aCheckedOutCartIsShownAndRecoveredAsCheckedOut() {
    checkedOutWithAnApple();
    assertEquals(contents(Map.of("apple", 1), true), view(cart));
    assertEquals(new Cart.CheckedOutCart(Map.of("apple", 1)), cart.restart().state());
  }

  @Test
  void anEmptyCartIsShownAsOpenWithoutItems() {
    assertEquals(contents(Map.of(), false), view(cart));
  }

  @Test
  void itemsAreListedInOrder() {
    run(cart, new Cart.AddItem("b", 1));
    run(cart, new Cart.AddItem("a", 1));
    assertEquals(List.of("a", "b"), List.copyOf(cart.getState().items().keySet()));
  }

  @Test
  void refusesAnEmptyItemName() {
    assertRejected(new Cart.AddItem(" ", 1), "item must not be empty");
    assertRejected(new Cart.AddItem(null, 1), "item must not be empty");
  }

  @Test
  void refusesAQuantityBelowOne() {
    assertRejected(new Cart.AddItem("apple", 0), "quantity must be at least 1, not 0");
  }

  @Test
  void refusesMoreThanAThousandOfOneItem() {
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
  void aCheckedOutCartHandlesNoCommandAndChangesNothing() {
    checkedOutWithAnApple();
    for (Cart.Command command : List.of(new Cart.AddItem("pear", 1), new Cart.RemoveItem("apple"), new Cart.Checkout())) {
      var late = run(cart, command);
      assertTrue(late.hasNoEvents(), command + " persists nothing");
      UnsupportedCommandException unsupported = assertInstanceOf(UnsupportedCommandException.class, late.reply().getError());
      assertEquals("'cart' entities in state CheckedOutCart do not handle " + command.getClass().getSimpleName(),
          unsupported.getMessage());
    }
    assertEquals(new Cart.CheckedOutCart(Map.of("apple", 1)), cart.getState());
  }

  @Test
  void theGuideShowsTheCartsCommandHandlerAsTheSampleHasIt() throws Exception {
    Path root = Path.of(System.getProperty("colony.home", ".."));
    String sample = Files.readString(root.resolve("samples/src/main/java/io/colony/samples/cart/Cart.java"));
    String guide = Files.readString(root.resolve("docs/entities.md"));
    String shown = guide.substring(guide.indexOf("return newEntityCommandHandlerBuilder().forStateType(OpenCart.class)"));
    shown = shown.substring(0, shown.indexOf(".build();") + ".build();".length());
    assertTrue(sample.replaceAll("\\s+", " ").contains(shown.replaceAll("\\s+", " ")), "docs/entities.md shows:\n" + shown);
  }

  @Test
  void readsItsCommandsFromJson() throws Exception {
    var json = SampleEntities.json(testKit.system());
    assertEquals(new Cart.AddItem("apple", 2), json.readValue("{\"type\":\"add\",\"item\":\"apple\",\"quantity\":2}", Cart.Command.class));
    assertEquals(new Cart.RemoveItem("apple"), json.readValue("{\"type\":\"remove\",\"item\":\"apple\"}", Cart.Command.class));
    assertEquals(new Cart.Checkout(), json.readValue("{\"type\":\"checkout\"}", Cart.Command.class));
  }
}
