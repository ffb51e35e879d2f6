package io.colony.sharding.listing;

import io.colony.persistence.projection.ProjectionHandler;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * The user entities' rows of {@code colony_entity_ids}: one per entity that has journaled an
 * event, from its persistence id {@code <type>|<id>}. The SDK has no deletion, so a row is
 * written once and never changed; its {@code seq_nr} is the first event seen.
 */
final class EntityIdRows implements ProjectionHandler {

  /** Only the persistence id matters: the event is dropped as soon as it arrives. */
  @Override
  public EventEnvelope trim(EventEnvelope envelope) {
    return EventEnvelope.apply(envelope.offset(), envelope.persistenceId(), envelope.sequenceNr(), null,
        envelope.timestamp());
  }

  @Override
  public void process(Connection connection, List<EventEnvelope> envelopes) throws SQLException {
    Map<String, Map<ByteBuffer, Long>> byType = new LinkedHashMap<>();
    for (EventEnvelope envelope : envelopes) {
      String persistenceId = envelope.persistenceId();
      int bar = persistenceId.indexOf('|');
      if (bar <= 0) {
        continue; // not an entity of a type
      }
      byType.computeIfAbsent(persistenceId.substring(0, bar), type -> new LinkedHashMap<>())
          .merge(IdRows.bytes(persistenceId.substring(bar + 1)), envelope.sequenceNr(), Math::min);
    }
    for (Map.Entry<String, Map<ByteBuffer, Long>> type : byType.entrySet()) {
      Map<ByteBuffer, Long> seen = type.getValue();
      seen.keySet().removeAll(IdRows.load(connection, type.getKey(), seen.keySet()).keySet());
      IdRows.insert(connection, type.getKey(), seen);
    }
  }
}
