package io.colony.testkit;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/** A journal database started for a system test or a benchmark. */
public interface TestDatabase extends AutoCloseable {

  /** The COLONY_DB_* variables that point a node at it. */
  Map<String, String> env();

  /** A JDBC connection of the caller's own, with the settings the nodes use. */
  Connection connect() throws SQLException;

  /** The server's processes right now (none when it was started elsewhere), e.g. for CPU accounting. */
  List<ProcessHandle> processes();

  @Override
  void close();
}
