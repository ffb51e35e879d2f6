package io.colony.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import io.colony.persistence.JournalHealth;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Keeps the errors of a damaged journal database out of the log: every entity, query and
 * request would otherwise log its own stack trace. {@link JournalHealth} logs the damage once,
 * clearly; this filter drops the echoes (warnings and errors whose message or cause reads like
 * damage), counts them, and asks the health check to look at once.
 */
final class DamageLogFilter extends TurboFilter {

  private final JournalHealth health;
  private final AtomicLong dropped = new AtomicLong();

  private DamageLogFilter(JournalHealth health) {
    this.health = health;
  }

  /** Installs the filter in Logback (a no-op when another SLF4J binding is in use). */
  static void install(JournalHealth health) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      DamageLogFilter filter = new DamageLogFilter(health);
      filter.setName("colony-journal-damage");
      filter.start();
      context.addTurboFilter(filter);
    }
  }

  long dropped() {
    return dropped.get();
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == null || !level.isGreaterOrEqual(Level.WARN) || logger.getName().equals(JournalHealth.class.getName())) {
      return FilterReply.NEUTRAL;
    }
    Throwable cause = t;
    if (cause == null && params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last) {
      cause = last;
    }
    if (!JournalHealth.looksLikeDamage(format) && !causedByDamage(cause)) {
      return FilterReply.NEUTRAL;
    }
    dropped.incrementAndGet();
    health.checkSoon();
    return FilterReply.DENY;
  }

  private static boolean causedByDamage(Throwable t) {
    for (int depth = 0; t != null && depth < 20; t = t.getCause(), depth++) {
      if (JournalHealth.looksLikeDamage(t.getMessage()) || JournalHealth.looksLikeDamage(t.toString())) {
        return true;
      }
    }
    return false;
  }
}
