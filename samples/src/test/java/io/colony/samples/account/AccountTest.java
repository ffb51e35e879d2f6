package io.colony.samples.account;

import static io.colony.samples.SampleEntities.run;
import static io.colony.samples.SampleEntities.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.persistence.CborSerializable;
import io.colony.persistence.sdk.EntityMessage;
import io.colony.samples.SampleEntities;
import java.util.List;
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

/** The account's rules, every refusal and the deduplication by operation id, on the in-memory journal. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class AccountTest {

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(SampleEntities.config("colony.persistence.entities.types.account.remembered-operations = 3")).build();
  private EventSourcedBehaviorTestKit<EntityMessage, Account.Event, Account.State> account;
  private int ids;

  @BeforeEach
  void freshAccount() {
    account = EventSourcedBehaviorTestKit.create(testKit.system(),
        SampleEntities.entity(Account.TYPE, "acc-" + ids++, Account.Command.class, Account::new));
  }


  private static StatusReply<CborSerializable> balance(long balance) {
    return StatusReply.success(new Account.Balance(balance, true));
  }

  private void assertRejected(CborSerializable command, String reason) {
    var result = run(account, command);
    assertEquals(StatusReply.error(reason), result.reply());
    assertTrue(result.hasNoEvents(), "a refusal without an operation id persists nothing");
  }

  private void openWith(long balance) {
    run(account, new Account.Open());
    if (balance > 0) {
      run(account, new Account.Deposit(balance, null));
    }
  }

  @Test
  void aNewAccountIsEmptyAndShownAsNotOpen() {
    assertEquals(new Account.EmptyAccount(List.of()), account.getState());
    assertEquals(StatusReply.success(new Account.Balance(0, false)), view(account));
  }

  @Test
  void openingMakesAnOpenAccountWithNothingInIt() {
    var opened = run(account, new Account.Open());
    assertEquals(new Account.Opened(), opened.event());
    assertEquals(balance(0), opened.reply());
    assertEquals(new Account.OpenAccount(0, List.of()), opened.state());
  }

  @Test
  void aDepositAddsToTheBalance() {
    openWith(20);
    var deposited = run(account, new Account.Deposit(100, null));
    assertEquals(new Account.Deposited(100, null), deposited.event());
    assertEquals(balance(120), deposited.reply());
  }

  @Test
  void aWithdrawalTakesFromTheBalance() {
    openWith(100);
    var withdrawn = run(account, new Account.Withdraw(30, null));
    assertEquals(new Account.Withdrawn(30, null), withdrawn.event());
    assertEquals(balance(70), withdrawn.reply());
    assertEquals(balance(70), view(account));
  }

  @Test
  void theBalanceSurvivesRecovery() {
    openWith(70);
    assertEquals(new Account.OpenAccount(70, List.of()), account.restart().state());
  }

  @Test
  void openingTwiceChangesNothing() {
    run(account, new Account.Open());
    run(account, new Account.Deposit(5, null));
    var again = run(account, new Account.Open());
    assertEquals(balance(5), again.reply());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void refusesMoneyMovesOnAnAccountThatIsNotOpen() {
    assertRejected(new Account.Deposit(10, null), "account is not open");
    assertRejected(new Account.Withdraw(10, null), "account is not open");
  }

  @Test
  void refusesAmountsBelowOne() {
    run(account, new Account.Open());
    assertRejected(new Account.Deposit(0, null), "amount must be at least 1, not 0");
    assertRejected(new Account.Withdraw(-5, null), "amount must be at least 1, not -5");
  }

  @Test
  void refusesAnOverdraft() {
    run(account, new Account.Open());
    run(account, new Account.Deposit(50, null));
    assertRejected(new Account.Withdraw(51, null), "insufficient funds: the balance is 50, the withdrawal 51");
    assertEquals(balance(0), run(account, new Account.Withdraw(50, null)).reply());
  }

  @Test
  void refusesAnOverflow() {
    run(account, new Account.Open());
    run(account, new Account.Deposit(Long.MAX_VALUE, null));
    assertRejected(new Account.Deposit(1, null), "the balance would overflow");
  }

  @Test
  void aRepeatedOperationIdGetsTheOriginalOutcomeAndChangesNothing() {
    run(account, new Account.Open());
    assertEquals(balance(100), run(account, new Account.Deposit(100, "op-1")).reply());
    run(account, new Account.Deposit(7, null));
    var repeated = run(account, new Account.Deposit(100, "op-1"));
    assertEquals(balance(100), repeated.reply(), "the balance right after the original deposit");
    assertTrue(repeated.hasNoEvents());
    assertEquals(107, account.getState().balance());

    assertEquals(balance(57), run(account, new Account.Withdraw(50, "op-2")).reply());
    var repeatedWithdrawal = run(account, new Account.Withdraw(50, "op-2"));
    assertEquals(balance(57), repeatedWithdrawal.reply());
    assertTrue(repeatedWithdrawal.hasNoEvents());
    assertEquals(57, account.restart().state().balance(), "deduplication survives recovery");
    assertTrue(run(account, new Account.Withdraw(50, "op-2")).hasNoEvents());
  }

  @Test
  void aRefusalWithAnOperationIdIsRememberedToo() {
    run(account, new Account.Open());
    var refused = run(account, new Account.Withdraw(10, "op-x"));
    String reason = "insufficient funds: the balance is 0, the withdrawal 10";
    assertEquals(StatusReply.error(reason), refused.reply());
    assertInstanceOf(Account.OperationRejected.class, refused.event());
    run(account, new Account.Deposit(100, null));
    // the money is there now, yet the same operation gets the same answer
    var again = run(account, new Account.Withdraw(10, "op-x"));
    assertEquals(StatusReply.error(reason), again.reply());
    assertTrue(again.hasNoEvents());
    assertEquals(100, account.getState().balance());
  }

  @Test
  void aDepositIntoAnAccountThatIsNotOpenIsRefusedForGood() {
    assertEquals(StatusReply.error("account is not open"), run(account, new Account.Deposit(5, "t/deposit")).reply());
    run(account, new Account.Open());
    assertEquals(StatusReply.error("account is not open"), run(account, new Account.Deposit(5, "t/deposit")).reply());
    assertEquals(balance(0), view(account));
  }

  @Test
  void anOperationIdUsedForAnotherOperationIsRefused() {
    run(account, new Account.Open());
    run(account, new Account.Deposit(100, "op-1"));
    assertRejected(new Account.Withdraw(100, "op-1"), "operation id 'op-1' was already used for a deposit of 100");
    assertRejected(new Account.Deposit(99, "op-1"), "operation id 'op-1' was already used for a deposit of 100");
    assertEquals(100, account.getState().balance());
  }

  @Test
  void remembersOnlyTheLatestOperations() {
    run(account, new Account.Open());
    run(account, new Account.Deposit(1, "a"));
    run(account, new Account.Deposit(1, "b"));
    run(account, new Account.Deposit(1, "c"));
    assertTrue(run(account, new Account.Deposit(1, "a")).hasNoEvents(), "three are remembered");
    run(account, new Account.Deposit(1, "d"));
    assertEquals(3, account.getState().recent().size());
    assertEquals(balance(5), run(account, new Account.Deposit(1, "a")).reply(), "the oldest was forgotten");
  }

  @Test
  void readsItsCommandsFromJson() throws Exception {
    var json = SampleEntities.json(testKit.system());
    assertEquals(new Account.Deposit(5, "t1"),
        json.readValue("{\"type\":\"deposit\",\"amount\":5,\"operationId\":\"t1\"}", Account.Command.class));
    assertEquals(new Account.Withdraw(5, null), json.readValue("{\"type\":\"withdraw\",\"amount\":5}", Account.Command.class));
    assertEquals(new Account.Open(), json.readValue("{\"type\":\"open\"}", Account.Command.class));
  }
}
