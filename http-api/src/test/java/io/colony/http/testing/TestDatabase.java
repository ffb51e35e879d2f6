package io.colony.http.testing;

import java.util.Map;

/** A journal database started for a system test: the COLONY_DB_* variables that reach it. */
public interface TestDatabase extends AutoCloseable {

  Map<String, String> env();

  @Override
  void close();
}
