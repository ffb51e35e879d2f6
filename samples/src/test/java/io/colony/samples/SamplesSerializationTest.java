package io.colony.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.CommandCodec;
import io.colony.samples.account.Account;
import io.colony.samples.cart.Cart;
import io.colony.samples.counter.Counter;
import io.colony.samples.transfer.Transfer;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Replies ({@code StatusReply} with a value or a reason) as they travel back to another node,
 * and every client command in its envelope, carried by its type name. (EventSourcedBehaviorTestKit verifies the commands each entity test sends, and every
 * event and state; the saga's messages to itself never leave its node.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class SamplesSerializationTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(SampleEntities.config("")).build();
  private final SerializationTestKit serialization = new SerializationTestKit(testKit.system());


  @Test
  void successRepliesRoundTripWithTheirValues() {
    List<CborSerializable> values = List.of(
        new Counter.State(3),
        new Cart.Contents(Map.of("apple", 2), true),
        new Account.Balance(10, true),
        new Transfer.View("t", Transfer.Status.FAILED, "a", "b", 5, null, "deposit refused: x; refunded"),
        new Transfer.View("t", Transfer.Status.PENDING, "a", "b", 5, Transfer.Step.REFUND, null));
    for (CborSerializable value : values) {
      serialization.verifySerialization(StatusReply.success(value), true);
    }
  }

  @Test
  void aRefusalRoundTripsWithItsReason() {
    serialization.verifySerialization(StatusReply.error("insufficient funds: the balance is 0, the withdrawal 10"), true);
  }

  @Test
  void everyClientCommandRoundTripsInItsEnvelopeAndReadsBackAsItself() throws Exception {
    ActorRef<StatusReply<CborSerializable>> replyTo = testKit.<StatusReply<CborSerializable>>createTestProbe().ref();
    CommandCodec codec = CommandCodec.get(testKit.system());
    Map<CborSerializable, Class<? extends CborSerializable>> commands = Map.of(
        new Counter.Increment(1), Counter.Command.class,
        new Cart.AddItem("a", 1), Cart.Command.class,
        new Cart.RemoveItem("a"), Cart.Command.class,
        new Cart.Checkout(), Cart.Command.class,
        new Account.Open(), Account.Command.class,
        new Account.Deposit(1, "op"), Account.Command.class,
        new Account.Withdraw(1, null), Account.Command.class,
        new Transfer.Start("a", "b", 1), Transfer.Command.class);
    for (var command : commands.entrySet()) {
      // CBOR reads a small long back as an int node: the trees differ, the commands they hold do not.
      var received = serialization.verifySerialization(new EntityMessage.Envelope(codec.encode(command.getKey()), replyTo), false);
      assertEquals(command.getKey(), codec.decode(received.command(), command.getValue()));
      assertEquals(replyTo, received.replyTo());
    }
  }
}
