package io.colony.persistence.projection;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The table {@code colony_projection_offsets}: per projection name, the journal {@code ordering}
 * of the last event whose effects are committed. Written only in the transaction that writes
 * those effects.
 */
final class ProjectionOffsets {

  // "offset" is a reserved word in H2 and PostgreSQL.
  static final List<String> DDL = List.of("""
      CREATE TABLE IF NOT EXISTS colony_projection_offsets (
        name VARCHAR(255) NOT NULL PRIMARY KEY,
        "offset" BIGINT NOT NULL
      )""");

  private ProjectionOffsets() {}

  /** The stored offset; 0 (from the start of the journal) for a projection that has none yet, which is then stored. */
  static long readOrCreate(Connection connection, String name) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement("""
        INSERT INTO colony_projection_offsets (name, "offset")
        SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM colony_projection_offsets WHERE name = ?)""")) {
      insert.setString(1, name);
      insert.setString(2, name);
      insert.executeUpdate();
    }
    return read(connection, name, "");
  }

  /** The stored offset, with the row locked until the transaction ends: one writer per projection at a time. */
  static long lock(Connection connection, String name) throws SQLException {
    return read(connection, name, " FOR UPDATE");
  }

  private static long read(Connection connection, String name, String suffix) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(
        "SELECT \"offset\" FROM colony_projection_offsets WHERE name = ?" + suffix)) {
      select.setString(1, name);
      try (ResultSet row = select.executeQuery()) {
        if (!row.next()) {
          throw new SQLException("No stored offset for projection '" + name + "'");
        }
        return row.getLong(1);
      }
    }
  }

  static void store(Connection connection, String name, long offset) throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(
        "UPDATE colony_projection_offsets SET \"offset\" = ? WHERE name = ?")) {
      update.setLong(1, offset);
      update.setString(2, name);
      update.executeUpdate();
    }
  }
}
