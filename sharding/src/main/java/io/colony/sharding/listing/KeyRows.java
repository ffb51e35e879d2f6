package io.colony.sharding.listing;

import io.colony.persistence.projection.ProjectionHandler;
import io.colony.sharding.kv.KeyValueEntity;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.persistence.query.EventEnvelope;

/**
 * The key-value store's rows of {@code colony_entity_ids} (type {@code kv}): a key has a row
 * while it exists. The key comes from the event, which carries it, so a key with a hashed
 * persistence id is listed under its real key. A row keeps the sequence number of the key's
 * event applied last, and an older event is skipped; a deleted key's row is removed (a listing
 * of tombstones would grow without bound), so only the projection's stored offset keeps a
 * deletion from being undone by an older event applied again.
 */
final class KeyRows implements ProjectionHandler {

  /** What a batch keeps of a key-value event: the key and whether it exists after the event, never the value. */
  record Change(String key, boolean exists) {}

  private record Latest(boolean exists, long seqNr) {}

  /** Drops the value (up to 1 MiB) as soon as the event arrives: a batch of 500 changes stays small. */
  @Override
  public EventEnvelope trim(EventEnvelope envelope) {
    return EventEnvelope.apply(envelope.offset(), envelope.persistenceId(), envelope.sequenceNr(), change(envelope),
        envelope.timestamp());
  }

  /** The change an envelope makes, trimmed or not; null for an event that is not a key-value event. */
  static Change change(EventEnvelope envelope) {
    Object event = envelope.event();
    if (event instanceof Change change) {
      return change;
    }
    if (event instanceof KeyValueEntity.ValueWritten written) {
      return new Change(written.key(), true);
    }
    if (event instanceof KeyValueEntity.ValueDeleted deleted) {
      return new Change(deleted.key(), false);
    }
    return null;
  }

  @Override
  public void process(Connection connection, List<EventEnvelope> envelopes) throws SQLException {
    Map<ByteBuffer, Latest> latest = new LinkedHashMap<>();
    for (EventEnvelope envelope : envelopes) {
      Change change = change(envelope);
      if (change == null || change.key() == null) {
        continue;
      }
      ByteBuffer key = IdRows.bytes(change.key());
      Latest before = latest.get(key);
      if (before == null || envelope.sequenceNr() > before.seqNr()) {
        latest.put(key, new Latest(change.exists(), envelope.sequenceNr()));
      }
    }
    Map<ByteBuffer, Long> stored = IdRows.load(connection, IdListing.KV_TYPE, latest.keySet());
    Map<ByteBuffer, Long> inserts = new LinkedHashMap<>();
    Map<ByteBuffer, Long> updates = new LinkedHashMap<>();
    List<ByteBuffer> deletes = new ArrayList<>();
    latest.forEach((key, last) -> {
      Long storedSeqNr = stored.get(key);
      if (storedSeqNr != null && storedSeqNr >= last.seqNr()) {
        return; // applied already
      }
      if (last.exists()) {
        (storedSeqNr == null ? inserts : updates).put(key, last.seqNr());
      } else if (storedSeqNr != null) {
        deletes.add(key);
      }
    });
    IdRows.insert(connection, IdListing.KV_TYPE, inserts);
    IdRows.update(connection, IdListing.KV_TYPE, updates);
    IdRows.delete(connection, IdListing.KV_TYPE, deletes);
  }
}
