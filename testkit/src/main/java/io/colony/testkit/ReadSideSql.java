package io.colony.testkit;

import io.colony.persistence.projection.ReadSideDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.apache.pekko.actor.typed.ActorSystem;

/** One number (a COUNT, say) from the journal database, through the node's own read-side pool. */
public final class ReadSideSql {

  private ReadSideSql() {}

  public static long scalar(ActorSystem<?> system, String sql) throws SQLException {
    try (Connection connection = ReadSideDatabase.get(system).dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}
