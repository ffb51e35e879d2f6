package io.colony.http;

import io.colony.testkit.Postgres;
import io.colony.testkit.TestDatabase;
import java.nio.file.Path;

/** The key-value system test on PostgreSQL, the production store. Fails, never skips, without one. */
class KvClusterPostgresIT extends KvClusterSystemTest {

  @Override
  TestDatabase startDatabase(Path dir) {
    return Postgres.start();
  }

  @Override
  String name() {
    return "kv-cluster-postgres";
  }
}
