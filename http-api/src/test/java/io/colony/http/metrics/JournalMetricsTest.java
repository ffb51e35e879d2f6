package io.colony.http.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.persistence.JournalDatabase;
import io.colony.persistence.JournalHealth;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A journal database that does not answer shows as {@code condition="unreachable"}, and its check is timed. */
@ExtendWith(LogCapturingExtension.class)
class JournalMetricsTest {

  @Test
  void anUnreachableDatabaseIsTheOneConditionSetToOne() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // closed again: nothing listens there
    }
    JournalDatabase nowhere = new JournalDatabase(JournalDatabase.Kind.H2,
        "jdbc:h2:tcp://127.0.0.1:" + port + "/nothing", "sa", "", 2);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (JournalHealth health = JournalHealth.start(nowhere, Duration.ofMinutes(10), Duration.ofSeconds(3))) {
      new JournalMetrics(health).bindTo(registry);

      assertEquals(1, registry.get("colony.journal.condition").tag("condition", "unreachable").gauge().value());
      assertEquals(0, registry.get("colony.journal.condition").tag("condition", "ok").gauge().value());
      assertEquals(0, registry.get("colony.journal.condition").tag("condition", "damaged").gauge().value());
      assertTrue(registry.get("colony.journal.check").gauge().value() > 0);
    }
  }
}
