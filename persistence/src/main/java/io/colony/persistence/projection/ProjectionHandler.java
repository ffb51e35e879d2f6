package io.colony.persistence.projection;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * What a {@link TaggedProjection} does with its events: writes rows for a batch with plain JDBC
 * on the given connection, inside the transaction that also stores the projection's offset.
 * It must neither commit nor close the connection; throwing rolls the whole batch back (rows
 * and offset), and the projection retries it with backoff.
 *
 * <p>The envelopes come in journal order, each at most once as far as committed work goes.
 * Handlers should still be idempotent per event (e.g. keep the sequence number applied last),
 * which costs little and protects against a journal replayed by hand.
 *
 * <p>A batch is collected in memory before {@link #process} sees it. A handler whose events can
 * be large (a key-value event holds up to 1 MiB) keeps only what it needs of each one with
 * {@link #trim}, which runs on every event as it arrives, before batching.
 */
@FunctionalInterface
public interface ProjectionHandler {

  void process(Connection connection, List<EventEnvelope> envelopes) throws SQLException;

  /**
   * What of an event {@link #process} gets: the envelope itself unless overridden, e.g. with a
   * small event that holds only the fields the rows need. Keep offset, persistence id and
   * sequence number: the projection and the handler's idempotence need them.
   */
  default EventEnvelope trim(EventEnvelope envelope) {
    return envelope;
  }
}
