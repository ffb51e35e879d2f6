package io.colony.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The health check on real H2 databases: its verdicts, and that it leaves JVM-wide JDBC settings alone. */
@ExtendWith(LogCapturingExtension.class)
class JournalHealthTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  @Test
  void aDatabaseWithAJournalTableIsOkAndTheJvmWideLoginTimeoutIsLeftAsItWas() throws Exception {
    String url = "jdbc:h2:mem:health-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    try (Connection connection = DriverManager.getConnection(url, "sa", "");
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE event_journal (ordering BIGINT PRIMARY KEY)");
    }
    DriverManager.setLoginTimeout(0);
    try (JournalHealth health = JournalHealth.start(new JournalDatabase(JournalDatabase.Kind.H2, url, "sa", "", 2),
        Duration.ofMinutes(10), TIMEOUT)) {
      assertEquals(JournalHealth.Condition.OK, health.current().condition(), String.valueOf(health.current().reason()));
      assertEquals(0, DriverManager.getLoginTimeout(), "other JDBC users in this JVM keep their login timeout");
    }
  }

  @Test
  void aServerThatIsNotThereIsUnreachable() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String url = "jdbc:h2:tcp://127.0.0.1:" + port + "/nothing";
    try (JournalHealth health = JournalHealth.start(new JournalDatabase(JournalDatabase.Kind.H2, url, "sa", "", 2),
        Duration.ofMinutes(10), TIMEOUT)) {
      assertEquals(JournalHealth.Condition.UNREACHABLE, health.current().condition());
    }
  }
}
