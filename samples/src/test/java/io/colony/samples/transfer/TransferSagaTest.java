package io.colony.samples.transfer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.persistence.sdk.CommandCodec;
import io.colony.samples.SampleEntities;
import io.colony.samples.account.Account;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The saga's steps against accounts played by test probes: the happy path, both refusals with
 * the refund, retries after a timeout, and resumption after the saga's actor dies mid-way.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class TransferSagaTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(SampleEntities.config("""
      colony.persistence.entities.types.transfer {
        ask-timeout = 300ms
        retry-backoff { min = 50ms, max = 200ms }
        passivate-after = 100ms
      }
      """)).build();
  private final Map<String, TestProbe<EntityMessage>> accounts = new ConcurrentHashMap<>();
  private final AtomicInteger passivations = new AtomicInteger();
  private final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private final CommandCodec codec = CommandCodec.get(testKit.system());
  private String id;
  private int ids;

  @BeforeEach
  void fresh() {
    id = "saga-" + ids++;
    accounts.clear();
    passivations.set(0);
  }


  private TestProbe<EntityMessage> account(String name) {
    return accounts.computeIfAbsent(name, n -> testKit.createTestProbe("account-" + n + "-" + id));
  }

  private ActorRef<EntityMessage> spawnTransfer() {
    return testKit.spawn(SampleEntities.entity(Transfer.TYPE, id, Transfer.Command.class, Transfer::new,
        (type, accountId) -> {
          assertEquals(Account.TYPE, type);
          return account(accountId).ref();
        },
        passivations::incrementAndGet));
  }

  private StatusReply<CborSerializable> ask(ActorRef<EntityMessage> transfer, CborSerializable command) {
    TestProbe<StatusReply<CborSerializable>> reply = testKit.createTestProbe();
    transfer.tell(new EntityMessage.Envelope(codec.encode(command), reply.ref()));
    return reply.receiveMessage();
  }

  private Transfer.View view(ActorRef<EntityMessage> transfer) {
    TestProbe<StatusReply<CborSerializable>> reply = testKit.createTestProbe();
    transfer.tell(new EntityMessage.GetState(reply.ref()));
    return (Transfer.View) reply.receiveMessage().getValue();
  }

  /** The next account command the saga sends to {@code account}. */
  private EntityMessage.Envelope expect(String account, Account.Command command) {
    EntityMessage.Envelope envelope = account(account).expectMessageClass(EntityMessage.Envelope.class, Duration.ofSeconds(3));
    try {
      assertEquals(command, codec.decode(envelope.command(), Account.Command.class));
    } catch (JsonProcessingException e) {
      throw new AssertionError("not an account command: " + envelope.command(), e);
    }
    return envelope;
  }

  private static void ok(EntityMessage.Envelope envelope, long balance) {
    envelope.replyTo().tell(StatusReply.success(new Account.Balance(balance, true)));
  }

  private void awaitStatus(ActorRef<EntityMessage> transfer, Transfer.Status status) {
    await().atMost(Duration.ofSeconds(5)).until(() -> view(transfer).status() == status);
  }

  private String op(String step) {
    return "transfer/" + id + "/" + step;
  }

  private List<Object> events() {
    return journal.persistedInStorage("transfer|" + id);
  }

  @Test
  void withdrawsThenDepositsThenCompletes() {
    ActorRef<EntityMessage> transfer = spawnTransfer();
    ask(transfer, new Transfer.Start("a", "b", 25));
    ok(expect("a", new Account.Withdraw(25, op("withdraw"))), 75);
    ok(expect("b", new Account.Deposit(25, op("deposit"))), 125);
    awaitStatus(transfer, Transfer.Status.COMPLETED);
    assertEquals(new Transfer.View(id, Transfer.Status.COMPLETED, "a", "b", 25, null, null), view(transfer));
    assertEquals(List.of(new Transfer.TransferStarted("a", "b", 25), new Transfer.MoneyWithdrawn(), new Transfer.MoneyDeposited()),
        events());
    await().atMost(Duration.ofSeconds(3)).until(() -> passivations.get() >= 1);
  }

  @Test
  void aRefusedWithdrawalFailsTheTransferWithoutDepositing() {
    ActorRef<EntityMessage> transfer = spawnTransfer();
    ask(transfer, new Transfer.Start("a", "b", 500));
    expect("a", new Account.Withdraw(500, op("withdraw"))).replyTo()
        .tell(StatusReply.error("insufficient funds: the balance is 100, the withdrawal 500"));
    awaitStatus(transfer, Transfer.Status.FAILED);
    assertEquals("withdrawal refused: insufficient funds: the balance is 100, the withdrawal 500", view(transfer).reason());
    account("b").expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aRefusedDepositIsCompensatedByARefund() {
    ActorRef<EntityMessage> transfer = spawnTransfer();
    ask(transfer, new Transfer.Start("a", "ghost", 40));
    ok(expect("a", new Account.Withdraw(40, op("withdraw"))), 60);
    expect("ghost", new Account.Deposit(40, op("deposit"))).replyTo().tell(StatusReply.error("account is not open"));
    ok(expect("a", new Account.Deposit(40, op("refund"))), 100);
    awaitStatus(transfer, Transfer.Status.FAILED);
    assertEquals("deposit refused: account is not open; refunded", view(transfer).reason());
    assertEquals(List.of(new Transfer.TransferStarted("a", "ghost", 40), new Transfer.MoneyWithdrawn(),
        new Transfer.DepositRejected("account is not open"), new Transfer.MoneyRefunded()), events());
  }

  @Test
  void aStepWithoutAnAnswerIsRetriedWithTheSameOperationId() {
    ActorRef<EntityMessage> transfer = spawnTransfer();
    ask(transfer, new Transfer.Start("a", "b", 5));
    expect("a", new Account.Withdraw(5, op("withdraw")));  // lost: the ask times out
    ok(expect("a", new Account.Withdraw(5, op("withdraw"))), 0);
    expect("b", new Account.Deposit(5, op("deposit")));    // lost again
    expect("b", new Account.Deposit(5, op("deposit")));    // lost again
    ok(expect("b", new Account.Deposit(5, op("deposit"))), 5);
    awaitStatus(transfer, Transfer.Status.COMPLETED);
    assertEquals(3, events().size(), "retries journal nothing");
  }

  @Test
  void aSagaThatDiesWaitingForTheWithdrawalAsksForItAgainAfterRecovery() {
    ActorRef<EntityMessage> transfer = spawnTransfer();
    ask(transfer, new Transfer.Start("a", "b", 7));
    expect("a", new Account.Withdraw(7, op("withdraw")));
    testKit.stop(transfer);

    ActorRef<EntityMessage> recovered = spawnTransfer();
    ok(expect("a", new Account.Withdraw(7, op("withdraw"))), 3);
    ok(expect("b", new Account.Deposit(7, op("deposit"))), 7);
    awaitStatus(recovered, Transfer.Status.COMPLETED);
  }

  @Test
  void aSagaThatDiesAfterTheWithdrawalResumesWithTheDepositNotAnotherWithdrawal() {
    ActorRef<EntityMessage> transfer = spawnTransfer();
    ask(transfer, new Transfer.Start("a", "b", 9));
    ok(expect("a", new Account.Withdraw(9, op("withdraw"))), 1);
    expect("b", new Account.Deposit(9, op("deposit")));
    testKit.stop(transfer);

    ActorRef<EntityMessage> recovered = spawnTransfer();
    ok(expect("b", new Account.Deposit(9, op("deposit"))), 9);
    awaitStatus(recovered, Transfer.Status.COMPLETED);
    account("a").expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aSagaThatDiesDuringTheRefundResumesTheRefund() {
    ActorRef<EntityMessage> transfer = spawnTransfer();
    ask(transfer, new Transfer.Start("a", "ghost", 4));
    ok(expect("a", new Account.Withdraw(4, op("withdraw"))), 0);
    expect("ghost", new Account.Deposit(4, op("deposit"))).replyTo().tell(StatusReply.error("account is not open"));
    expect("a", new Account.Deposit(4, op("refund")));
    testKit.stop(transfer);

    ActorRef<EntityMessage> recovered = spawnTransfer();
    ok(expect("a", new Account.Deposit(4, op("refund"))), 4);
    awaitStatus(recovered, Transfer.Status.FAILED);
  }

  @Test
  void aFinishedSagaStaysFinishedAfterRecoveryAndPassivatesItself() {
    ActorRef<EntityMessage> transfer = spawnTransfer();
    ask(transfer, new Transfer.Start("a", "b", 2));
    ok(expect("a", new Account.Withdraw(2, op("withdraw"))), 0);
    ok(expect("b", new Account.Deposit(2, op("deposit"))), 2);
    awaitStatus(transfer, Transfer.Status.COMPLETED);
    testKit.stop(transfer);
    passivations.set(0);

    ActorRef<EntityMessage> recovered = spawnTransfer();
    assertEquals(Transfer.Status.COMPLETED, view(recovered).status());
    account("a").expectNoMessage(Duration.ofMillis(200));
    account("b").expectNoMessage(Duration.ofMillis(1));
    await().atMost(Duration.ofSeconds(3)).until(() -> passivations.get() >= 1);
  }
}
