package io.colony.samples.transfer;

import static io.colony.samples.SampleEntities.run;
import static io.colony.samples.SampleEntities.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.CommandCodec;
import io.colony.samples.SampleEntities;
import io.colony.samples.account.Account;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Starting a transfer: its checks, its idempotency and its view (the steps are in TransferSagaTest). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class TransferTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(SampleEntities.config("")).build();
  /** Every account: the saga's withdrawal lands here and is never answered in this test. */
  private final TestProbe<EntityMessage> accounts = testKit.createTestProbe();
  private EventSourcedBehaviorTestKit<EntityMessage, Transfer.Event, Transfer.State> transfer;
  private String id;
  private int ids;

  @BeforeEach
  void freshTransfer() {
    id = "t-" + ids++;
    transfer = EventSourcedBehaviorTestKit.create(testKit.system(), SampleEntities.entity(Transfer.TYPE, id,
        Transfer.Command.class, Transfer::new, (type, account) -> accounts.ref(), () -> { }));
  }


  private void assertRejected(Transfer.Start start, String reason) {
    var result = run(transfer, start);
    assertEquals(StatusReply.error(reason), result.reply());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void startIsJournaledRepliesPendingAndAsksForTheWithdrawal() throws Exception {
    var started = run(transfer, new Transfer.Start("a", "b", 10));
    assertEquals(new Transfer.TransferStarted("a", "b", 10), started.event());
    assertEquals(new Transfer.Withdrawing(new Transfer.Terms("a", "b", 10)), started.state());
    Transfer.View pending = new Transfer.View(id, Transfer.Status.PENDING, "a", "b", 10, Transfer.Step.WITHDRAW, null);
    assertEquals(StatusReply.success(pending), started.reply());
    assertEquals(StatusReply.success(pending), view(transfer));
    EntityMessage.Envelope withdrawal = accounts.expectMessageClass(EntityMessage.Envelope.class);
    assertEquals(new Account.Withdraw(10, "transfer/" + id + "/withdraw"),
        CommandCodec.get(testKit.system()).decode(withdrawal.command(), Account.Command.class));
  }

  @Test
  void startIsIdempotentPerTransferId() {
    run(transfer, new Transfer.Start("a", "b", 10));
    var again = run(transfer, new Transfer.Start("a", "b", 10));
    assertTrue(again.hasNoEvents());
    assertEquals(view(transfer), again.reply());
    assertRejected(new Transfer.Start("a", "b", 11), "transfer '" + id + "' was already started with other parameters");
    assertRejected(new Transfer.Start("a", "c", 10), "transfer '" + id + "' was already started with other parameters");
  }

  @Test
  void aTransferThatWasNeverStartedDoesNotExist() {
    assertNull(view(transfer).getValue());
  }

  @Test
  void refusesBadParameters() {
    assertRejected(new Transfer.Start(null, "b", 10), "from and to must name accounts");
    assertRejected(new Transfer.Start("a", " ", 10), "from and to must name accounts");
    assertRejected(new Transfer.Start("a", "a", 10), "from and to must be different accounts");
    assertRejected(new Transfer.Start("a", "b", 0), "amount must be at least 1, not 0");
    assertNull(view(transfer).getValue());
  }

  @Test
  void readsStartFromJsonAndOnlyStart() throws Exception {
    var json = SampleEntities.json(testKit.system());
    assertEquals(new Transfer.Start("a", "b", 3),
        json.readValue("{\"type\":\"start\",\"from\":\"a\",\"to\":\"b\",\"amount\":3}", Transfer.Command.class));
    org.junit.jupiter.api.Assertions.assertThrows(com.fasterxml.jackson.databind.exc.InvalidTypeIdException.class,
        () -> json.readValue("{\"type\":\"StepSucceeded\",\"step\":\"WITHDRAW\"}", Transfer.Command.class),
        "the saga's own messages cannot be sent from outside");
  }
}
