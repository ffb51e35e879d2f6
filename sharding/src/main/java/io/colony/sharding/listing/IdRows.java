package io.colony.sharding.listing;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows of {@code colony_entity_ids} for the projection handlers, in the caller's transaction.
 * Ids travel as their UTF-8 bytes ({@link ByteBuffer}s compare by content), never decoded and
 * encoded again on the way: what is stored is what is compared.
 */
final class IdRows {

  private static final int IDS_PER_QUERY = 100;

  private IdRows() {}

  static ByteBuffer bytes(String id) {
    return ByteBuffer.wrap(IdListing.utf8(id));
  }

  /** The stored {@code seq_nr} of each of {@code ids} (of {@code type}) that has a row. */
  static Map<ByteBuffer, Long> load(Connection connection, String type, Collection<ByteBuffer> ids)
      throws SQLException {
    Map<ByteBuffer, Long> stored = new HashMap<>();
    List<ByteBuffer> all = List.copyOf(ids);
    for (int from = 0; from < all.size(); from += IDS_PER_QUERY) {
      List<ByteBuffer> chunk = all.subList(from, Math.min(all.size(), from + IDS_PER_QUERY));
      String marks = String.join(", ", Collections.nCopies(chunk.size(), "?"));
      try (PreparedStatement select = connection.prepareStatement(
          "SELECT id, seq_nr FROM colony_entity_ids WHERE type = ? AND id IN (" + marks + ")")) {
        select.setString(1, type);
        for (int i = 0; i < chunk.size(); i++) {
          select.setBytes(i + 2, chunk.get(i).array());
        }
        try (ResultSet rows = select.executeQuery()) {
          while (rows.next()) {
            stored.put(ByteBuffer.wrap(rows.getBytes(1)), rows.getLong(2));
          }
        }
      }
    }
    return stored;
  }

  static void insert(Connection connection, String type, Map<ByteBuffer, Long> seqNrs) throws SQLException {
    write(connection, "INSERT INTO colony_entity_ids (seq_nr, type, id) VALUES (?, ?, ?)", type, seqNrs);
  }

  static void update(Connection connection, String type, Map<ByteBuffer, Long> seqNrs) throws SQLException {
    write(connection, "UPDATE colony_entity_ids SET seq_nr = ? WHERE type = ? AND id = ?", type, seqNrs);
  }

  static void delete(Connection connection, String type, Collection<ByteBuffer> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement delete = connection.prepareStatement(
        "DELETE FROM colony_entity_ids WHERE type = ? AND id = ?")) {
      for (ByteBuffer id : ids) {
        delete.setString(1, type);
        delete.setBytes(2, id.array());
        delete.addBatch();
      }
      delete.executeBatch();
    }
  }

  private static void write(Connection connection, String sql, String type, Map<ByteBuffer, Long> seqNrs)
      throws SQLException {
    if (seqNrs.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (Map.Entry<ByteBuffer, Long> row : seqNrs.entrySet()) {
        statement.setLong(1, row.getValue());
        statement.setString(2, type);
        statement.setBytes(3, row.getKey().array());
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }
}
