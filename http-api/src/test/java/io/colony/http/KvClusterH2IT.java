package io.colony.http;

import io.colony.testkit.H2Server;
import io.colony.testkit.TestDatabase;
import java.nio.file.Path;

/** The key-value system test on the embedded default store: one H2 TCP server shared by all nodes. */
class KvClusterH2IT extends KvClusterSystemTest {

  @Override
  TestDatabase startDatabase(Path dir) {
    return H2Server.start(dir);
  }

  @Override
  String name() {
    return "kv-cluster-h2";
  }
}
