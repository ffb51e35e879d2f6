package io.colony.samples;

import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.EntityReply;
import io.colony.samples.account.Account;
import io.colony.samples.cart.Cart;
import io.colony.samples.counter.Counter;
import io.colony.samples.transfer.Transfer;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Replies and views as they travel back to another node, and every client command in its
 * envelope. (EventSourcedBehaviorTestKit verifies the commands each entity test sends, and every
 * event and state; the saga's messages to itself never leave its node.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SamplesSerializationTest {

  private final ActorTestKit testKit = ActorTestKit.create(SampleEntities.config(""));
  private final SerializationTestKit serialization = new SerializationTestKit(testKit.system());

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void repliesRoundTripThroughCbor() {
    List<CborSerializable> values = List.of(
        new Counter.State(3),
        new Cart.State(Map.of("apple", 2), true),
        new Account.Balance(10, true),
        new Transfer.View("t", Transfer.Status.FAILED, "a", "b", 5, null, "deposit refused: x; refunded"),
        new Transfer.View("t", Transfer.Status.PENDING, "a", "b", 5, Transfer.Step.REFUND, null));
    for (CborSerializable value : values) {
      serialization.verifySerialization(EntityReply.ok(value), true);
    }
  }

  @Test
  void everyCommandRoundTripsInItsEnvelope() {
    ActorRef<EntityReply> replyTo = testKit.<EntityReply>createTestProbe().ref();
    List<CborSerializable> commands = List.of(
        new Counter.Increment(1),
        new Cart.AddItem("a", 1), new Cart.RemoveItem("a"), new Cart.Checkout(),
        new Account.Open(), new Account.Deposit(1, "op"), new Account.Withdraw(1, null),
        new Transfer.Start("a", "b", 1));
    for (CborSerializable command : commands) {
      serialization.verifySerialization(new EntityMessage.Envelope(command, replyTo), true);
    }
  }
}
