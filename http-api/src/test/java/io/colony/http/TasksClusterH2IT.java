package io.colony.http;

import io.colony.testkit.H2Server;
import io.colony.testkit.TestDatabase;
import java.nio.file.Path;

/** The task system test on the embedded default store (one shared H2 TCP server). */
class TasksClusterH2IT extends TasksClusterSystemTest {

  @Override
  TestDatabase startDatabase(Path dir) {
    return H2Server.start(dir);
  }

  @Override
  String name() {
    return "tasks-cluster-h2";
  }
}
