package io.colony.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Which database holds the journal, and the pekko-persistence-jdbc settings that follow from
 * its URL: the Slick profile and the JDBC driver are derived, so that setting
 * {@code COLONY_DB_URL} alone switches between H2 and PostgreSQL.
 */
public record JournalDatabase(Kind kind, String url, String user, String password, int maxConnections) {

  /** The databases Colony supports, with the Slick profile and driver of each. */
  public enum Kind {
    H2("slick.jdbc.H2Profile$", "org.h2.Driver"),
    POSTGRES("slick.jdbc.PostgresProfile$", "org.postgresql.Driver");

    final String slickProfile;
    final String driver;

    Kind(String slickProfile, String driver) {
      this.slickProfile = slickProfile;
      this.driver = driver;
    }

    /** The JDBC driver's class name. */
    public String driver() {
      return driver;
    }
  }

  public static final String SHARED_DB = "pekko-persistence-jdbc.shared-databases.colony";

  /** Reads {@code colony.persistence.db}; an empty URL means an H2 file under {@code dataDir}. */
  public static JournalDatabase from(Config config, String dataDir) {
    Config db = config.getConfig("colony.persistence.db");
    String url = db.getString("url").trim();
    if (url.isEmpty()) {
      url = "jdbc:h2:file:" + Path.of(dataDir, "colony").toAbsolutePath().normalize();
    }
    Kind kind = kindOf(url);
    if (kind == Kind.H2 && !url.toUpperCase(Locale.ROOT).contains("DATABASE_TO_UPPER")) {
      // The plugin's H2 schema quotes lower-case table names.
      url = url + ";DATABASE_TO_UPPER=false";
    }
    if (kind == Kind.H2 && !url.startsWith("jdbc:h2:mem:") && !url.toUpperCase(Locale.ROOT).contains("WRITE_DELAY")) {
      // H2 writes commits to its file up to 500 ms later by default: a kill -9 of the process
      // holding the database then loses acknowledged writes (measured: ~20,000 rows). 0 writes
      // each commit before it returns, so a crashed process loses nothing it acknowledged.
      url = url + ";WRITE_DELAY=0";
    }
    return new JournalDatabase(kind, url, db.getString("user"), db.getString("password"), db.getInt("max-connections"));
  }

  /**
   * The database the journal plugin is configured with: read back from {@link #pluginConfig()}'s
   * section of a loaded configuration, so that read sides always use the journal's database.
   */
  public static JournalDatabase ofPlugin(Config config) {
    Config db = config.getConfig(SHARED_DB + ".db");
    String url = db.getString("url");
    return new JournalDatabase(kindOf(url), url, db.getString("user"), db.getString("password"),
        db.getInt("maxConnections"));
  }

  static Kind kindOf(String url) {
    if (url.startsWith("jdbc:h2:")) {
      return Kind.H2;
    }
    if (url.startsWith("jdbc:postgresql:")) {
      return Kind.POSTGRES;
    }
    throw new IllegalArgumentException(
        "COLONY_DB_URL: '" + url + "' is neither an H2 (jdbc:h2:…) nor a PostgreSQL (jdbc:postgresql:…) URL");
  }

  /** The shared-database section pekko-persistence-jdbc reads. */
  public Config pluginConfig() {
    return ConfigFactory.parseMap(Map.of(
            "profile", kind.slickProfile,
            "db.url", url,
            "db.driver", kind.driver,
            "db.user", user,
            "db.password", password,
            "db.numThreads", maxConnections,
            "db.maxConnections", maxConnections,
            "db.minConnections", Math.min(2, maxConnections)))
        .atPath(SHARED_DB);
  }

  /** The URL without credentials, for log lines and error messages. */
  public String describe() {
    return kind + " " + url;
  }
}
