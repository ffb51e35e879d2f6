package io.colony.sharding.listing;

import com.typesafe.config.Config;
import io.colony.persistence.projection.ReadSideDatabase;
import io.colony.persistence.projection.TaggedProjection;
import io.colony.persistence.sdk.ColonyEntity;
import io.colony.sharding.kv.KeyValueEntity;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * {@code GET /v1/kv} and {@code GET /v1/entities/{type}}: pages of the ids of one entity type
 * (for the key-value store, type {@code kv}, its keys), from the table {@code colony_entity_ids}
 * in the journal database, never from a node's memory. Two {@link TaggedProjection}s (one per
 * cluster each) keep the table: {@link KeyRows} from the key-value events (tag {@code kv}; a key
 * is listed while it exists, under its real key even when its persistence id is hashed) and
 * {@link EntityIdRows} from the user entities' events (tag {@code entities}; an id is listed once
 * its entity has journaled an event).
 *
 * <p>Ids are stored as their UTF-8 bytes and listed in byte order (which is Unicode code point
 * order), so H2 and PostgreSQL page alike whatever their collation. The listing is eventually
 * consistent: a change is listed after the read journal's polling and the projection's batch
 * window, about a second (see the README).
 */
public final class IdListing {

  /** A page; {@code next} is the {@code after} of the following page, null on the last one. */
  public record Page(List<String> ids, String next) {}

  /** The type under which the key-value store's keys are listed. */
  public static final String KV_TYPE = KeyValueEntity.ENTITY_KEY.name();

  /** Projection names in {@code colony_projection_offsets}. */
  static final String KV_PROJECTION = "kv-keys";
  static final String ENTITIES_PROJECTION = "entity-ids";

  /**
   * Idempotent DDL for H2 and PostgreSQL (both know {@code BYTEA}, and compare it as unsigned
   * bytes). The primary key serves every listing: equal type, a range of ids, in order.
   */
  static final List<String> DDL = List.of("""
      CREATE TABLE IF NOT EXISTS colony_entity_ids (
        type VARCHAR(255) NOT NULL,
        id BYTEA NOT NULL,
        seq_nr BIGINT NOT NULL,
        PRIMARY KEY (type, id)
      )""");

  private final ReadSideDatabase database;
  private final Duration queryTimeout;

  IdListing(ReadSideDatabase database, Duration queryTimeout) {
    this.database = database;
    this.queryTimeout = queryTimeout;
  }

  /**
   * Creates the table if needed (blocking, bounded by {@code colony.persistence.db.startup-timeout})
   * and starts the projections that fill it: the key-value one always, the entity one when
   * {@code userTypes} is true (there are user entity types to list).
   */
  public static IdListing start(ActorSystem<?> system, boolean userTypes) {
    Config settings = system.settings().config().getConfig("colony.sharding.listing");
    ReadSideDatabase database = ReadSideDatabase.get(system);
    database.ensureTables("entity id listing", DDL,
        system.settings().config().getDuration("colony.persistence.db.startup-timeout"));
    String readJournal = settings.getString("read-journal");
    TaggedProjection.init(system, TaggedProjection.Settings.of(system, KV_PROJECTION, KeyValueEntity.TAG, readJournal),
        new KeyRows());
    if (userTypes) {
      TaggedProjection.init(system,
          TaggedProjection.Settings.of(system, ENTITIES_PROJECTION, ColonyEntity.TAG, readJournal), new EntityIdRows());
    }
    return new IdListing(database, settings.getDuration("query-timeout"));
  }

  /**
   * Up to {@code limit} ids of {@code type} that start with {@code prefix}, in byte order, after
   * {@code after} if not null; on the JDBC dispatcher, failing with a timeout when the database
   * does not answer in time.
   */
  public CompletionStage<Page> list(String type, String prefix, String after, int limit) {
    return database.inTransaction(connection -> page(connection, type, prefix, after, limit))
        .toCompletableFuture()
        .orTimeout(queryTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private Page page(Connection connection, String type, String prefix, String after, int limit) throws SQLException {
    byte[] from = utf8(prefix);
    boolean inclusive = true;
    if (after != null && Arrays.compareUnsigned(utf8(after), from) >= 0) {
      from = utf8(after);
      inclusive = false;
    }
    byte[] until = upperBound(utf8(prefix));
    String sql = "SELECT id FROM colony_entity_ids WHERE type = ? AND id " + (inclusive ? ">=" : ">") + " ?"
        + (until == null ? "" : " AND id < ?")
        // "type, id" rather than "id": H2 then reads the primary key in order instead of sorting.
        + " ORDER BY type, id LIMIT ?";
    try (PreparedStatement select = connection.prepareStatement(sql)) {
      select.setQueryTimeout((int) Math.max(1, queryTimeout.toSeconds()));
      int i = 1;
      select.setString(i++, type);
      select.setBytes(i++, from);
      if (until != null) {
        select.setBytes(i++, until);
      }
      select.setInt(i, limit + 1); // one more tells whether there is a next page
      List<String> ids = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(new String(rows.getBytes(1), StandardCharsets.UTF_8));
        }
      }
      if (ids.size() <= limit) {
        return new Page(ids, null);
      }
      List<String> page = List.copyOf(ids.subList(0, limit));
      return new Page(page, page.get(limit - 1));
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The least byte string greater than every string that starts with {@code prefix}, or null
   * when there is none (an empty prefix, or only 0xFF bytes).
   */
  static byte[] upperBound(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] bound = Arrays.copyOf(prefix, i + 1);
        bound[i]++;
        return bound;
      }
    }
    return null;
  }
}
