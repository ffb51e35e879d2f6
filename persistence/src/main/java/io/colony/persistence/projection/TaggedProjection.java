package io.colony.persistence.projection;

import com.typesafe.config.Config;
import io.colony.persistence.CborSerializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.persistence.query.javadsl.EventsByTagQuery;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read side with a stored offset: follows one tag of the journal ({@code eventsByTag}; the
 * offset is the journal's {@code ordering}) and hands each batch of events to a
 * {@link ProjectionHandler}, whose rows are committed in the same transaction as the new offset
 * in {@code colony_projection_offsets}. So a batch's effects are either all there with its
 * offset, or neither is; a restart resumes after the stored offset, never from the start unless
 * nothing is stored yet.
 *
 * <p>Each transaction first locks the projection's offset row and skips events at or below the
 * offset it finds, so even two instances at once (a singleton hand-over, a split brain) apply
 * each event once. {@link #init} runs one instance per name in the cluster, as a cluster
 * singleton; the stream restarts with backoff when the journal or the database fails.
 *
 * <p>Memory: the read journal holds up to its {@code max-buffer-size} events of one poll, and
 * each batch up to {@code batch-size} events as {@link ProjectionHandler#trim} left them; a
 * projection over large events follows a read journal with a small buffer and trims them.
 *
 * <p>How soon an event shows up is the read journal's polling ({@code refresh-interval}, and
 * its sequence retrieval's {@code query-delay}) plus {@code batch-window}.
 */
public final class TaggedProjection {

  /** The protocol: only the singleton manager's stop message. */
  public interface Command extends CborSerializable {}

  /** Stops the projection (its stream stops with it); the singleton's hand-over message. */
  public enum Stop implements Command {
    INSTANCE
  }

  /** Where a projection reads and how it batches; defaults from {@code colony.persistence.read-side.projection}. */
  public record Settings(String name, String tag, String readJournal, int batchSize, Duration batchWindow,
      RestartSettings restart) {

    public static Settings of(ActorSystem<?> system, String name, String tag, String readJournal) {
      Config config = system.settings().config().getConfig("colony.persistence.read-side.projection");
      Config backoff = config.getConfig("restart-backoff");
      return new Settings(name, tag, readJournal, config.getInt("batch-size"), config.getDuration("batch-window"),
          RestartSettings.create(backoff.getDuration("min"), backoff.getDuration("max"),
              backoff.getDouble("random-factor")));
    }
  }

  private static final Logger log = LoggerFactory.getLogger(TaggedProjection.class);

  private TaggedProjection() {}

  /**
   * Creates the offset table if needed (blocking, bounded by {@code colony.persistence.db.startup-timeout})
   * and runs the projection as a cluster singleton named {@code projection-<name>}.
   */
  public static ActorRef<Command> init(ActorSystem<?> system, Settings settings, ProjectionHandler handler) {
    ensureTables(system);
    return ClusterSingleton.get(system).init(
        SingletonActor.of(create(settings, handler), "projection-" + settings.name()).withStopMessage(Stop.INSTANCE));
  }

  /** Creates {@code colony_projection_offsets} when it is missing; idempotent. */
  public static void ensureTables(ActorSystem<?> system) {
    ReadSideDatabase.get(system).ensureTables("projection offset", ProjectionOffsets.DDL,
        system.settings().config().getDuration("colony.persistence.db.startup-timeout"));
  }

  /** The projection as a plain actor (one per name in the cluster is the caller's business; see {@link #init}). */
  public static Behavior<Command> create(Settings settings, ProjectionHandler handler) {
    return Behaviors.setup(context -> {
      run(context, settings, handler);
      return Behaviors.receive(Command.class).onMessageEquals(Stop.INSTANCE, Behaviors::stopped).build();
    });
  }

  /** The stream lives as long as the actor: it runs on the actor's materializer. */
  private static void run(ActorContext<Command> context, Settings settings, ProjectionHandler handler) {
    ActorSystem<?> system = context.getSystem();
    ReadSideDatabase database = ReadSideDatabase.get(system);
    EventsByTagQuery journal =
        PersistenceQuery.get(system).getReadJournalFor(EventsByTagQuery.class, settings.readJournal());
    String name = settings.name();
    RestartSource.withBackoff(settings.restart(), () ->
            Source.completionStage(database.inTransaction(c -> ProjectionOffsets.readOrCreate(c, name)))
                .flatMapConcat(from -> {
                  log.info("Projection {} follows tag '{}' after offset {}", name, settings.tag(), from);
                  return journal.eventsByTag(settings.tag(), Offset.sequence(from));
                })
                .map(handler::trim)
                .groupedWithin(settings.batchSize(), settings.batchWindow())
                .mapAsync(1, batch -> database.inTransaction(connection -> apply(connection, name, batch, handler))))
        .runWith(Sink.ignore(), Materializer.createMaterializer(context));
  }

  /**
   * One batch in the caller's transaction: locks the offset row, hands the events after the
   * stored offset to {@code handler} and stores the last one's offset.
   *
   * @return the offset stored now
   */
  static long apply(Connection connection, String name, List<EventEnvelope> batch, ProjectionHandler handler)
      throws SQLException {
    long stored = ProjectionOffsets.lock(connection, name);
    List<EventEnvelope> fresh = batch.stream().filter(envelope -> offsetOf(envelope) > stored).toList();
    if (fresh.isEmpty()) {
      return stored;
    }
    handler.process(connection, fresh);
    long last = fresh.stream().mapToLong(TaggedProjection::offsetOf).max().orElseThrow();
    ProjectionOffsets.store(connection, name, last);
    return last;
  }

  static long offsetOf(EventEnvelope envelope) {
    if (envelope.offset() instanceof Sequence sequence) {
      return sequence.value();
    }
    throw new IllegalStateException("Projections need a read journal with Sequence offsets (jdbc-read-journal); got "
        + envelope.offset());
  }
}
