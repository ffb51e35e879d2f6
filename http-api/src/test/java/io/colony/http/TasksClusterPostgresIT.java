package io.colony.http;

import io.colony.testkit.Postgres;
import io.colony.testkit.TestDatabase;
import java.nio.file.Path;

/** The task system test on PostgreSQL. Fails, never skips, without one. */
class TasksClusterPostgresIT extends TasksClusterSystemTest {

  @Override
  TestDatabase startDatabase(Path dir) {
    return Postgres.start();
  }

  @Override
  String name() {
    return "tasks-cluster-postgres";
  }
}
