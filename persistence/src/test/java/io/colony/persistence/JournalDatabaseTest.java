package io.colony.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LogCapturingExtension.class)
class JournalDatabaseTest {

  private static Config db(String url) {
    return ConfigFactory.parseString("""
        colony.persistence.db { url = "%s", user = u, password = p, max-connections = 7 }
        """.formatted(url));
  }

  @Test
  void emptyUrlMeansAnH2FileInTheDataDir() {
    JournalDatabase database = JournalDatabase.from(db(""), "/var/lib/colony");
    assertEquals(JournalDatabase.Kind.H2, database.kind());
    assertEquals("jdbc:h2:file:/var/lib/colony/colony;DATABASE_TO_UPPER=false;WRITE_DELAY=0", database.url());
  }

  @Test
  void h2UrlsGetLowerCaseNamesOnce() {
    assertEquals("jdbc:h2:tcp://127.0.0.1:9092/colony;DATABASE_TO_UPPER=false;WRITE_DELAY=0",
        JournalDatabase.from(db("jdbc:h2:tcp://127.0.0.1:9092/colony"), "x").url());
    assertEquals("jdbc:h2:mem:a;database_to_upper=false",
        JournalDatabase.from(db("jdbc:h2:mem:a;database_to_upper=false"), "x").url());
  }

  @Test
  void h2FilesWriteEachCommitBeforeItReturnsUnlessToldOtherwise() {
    assertEquals("jdbc:h2:file:/d/c;WRITE_DELAY=100;DATABASE_TO_UPPER=false",
        JournalDatabase.from(db("jdbc:h2:file:/d/c;WRITE_DELAY=100"), "x").url(), "an explicit choice stands");
    assertEquals("jdbc:h2:mem:m;DATABASE_TO_UPPER=false", JournalDatabase.from(db("jdbc:h2:mem:m"), "x").url(),
        "a memory database has no file to write");
  }

  @Test
  void postgresUrlChoosesTheSlickProfileAndDriver() {
    JournalDatabase database = JournalDatabase.from(db("jdbc:postgresql://db:5432/colony"), "x");
    Config plugin = database.pluginConfig().getConfig(JournalDatabase.SHARED_DB);
    assertEquals("slick.jdbc.PostgresProfile$", plugin.getString("profile"));
    assertEquals("org.postgresql.Driver", plugin.getString("db.driver"));
    assertEquals("jdbc:postgresql://db:5432/colony", plugin.getString("db.url"));
    assertEquals("u", plugin.getString("db.user"));
    assertEquals(7, plugin.getInt("db.maxConnections"));
    assertEquals(7, plugin.getInt("db.numThreads"), "Slick wants as many threads as connections");
  }

  @Test
  void otherDatabasesAreRejectedWithTheVariableNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JournalDatabase.from(db("jdbc:mysql://db/colony"), "x"));
    assertTrue(e.getMessage().contains("COLONY_DB_URL"), e.getMessage());
  }

  @Test
  void describeNeverShowsThePassword() {
    assertEquals("H2 jdbc:h2:mem:z;DATABASE_TO_UPPER=false", JournalDatabase.from(db("jdbc:h2:mem:z"), "x").describe());
  }
}
