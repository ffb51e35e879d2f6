package io.colony.http.metrics;

import io.colony.persistence.JournalHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;

/**
 * The journal database as this node's health check sees it: {@code colony_journal_condition{condition}}
 * (1 for the current one of ok, unreachable, damaged) and {@code colony_journal_check_seconds},
 * how long the last check took (a new connection and a query on the journal's index), a probe of
 * the database's latency. The latency of the journal's own writes is not measured (the JDBC
 * plugin has no hook for it).
 */
public final class JournalMetrics implements MeterBinder {

  private final JournalHealth health;

  public JournalMetrics(JournalHealth health) {
    this.health = health;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (JournalHealth.Condition condition : JournalHealth.Condition.values()) {
      Gauge.builder("colony.journal.condition", () -> health.current().condition() == condition ? 1 : 0)
          .description("1 for the journal database's condition as the last health check found it")
          .tag("condition", condition.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    Gauge.builder("colony.journal.check", () -> health.lastCheckTook().toNanos() / 1e9)
        .description("How long the last health check of the journal database took, connecting included")
        .baseUnit("seconds")
        .register(registry);
  }
}
