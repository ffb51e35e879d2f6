package io.colony.tasks;

import com.typesafe.config.Config;
import io.colony.persistence.projection.JournalRows;
import io.colony.persistence.projection.ReadSideDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Forgets finished tasks after {@code colony.tasks.retention}: a cluster singleton that every
 * {@code retention-sweep-interval} finds tasks that finished (SUCCEEDED, FAILED, CANCELLED)
 * before now − retention in {@code colony_tasks}, and deletes their journal rows (events, tags,
 * snapshots) and their listing row in one transaction, at most {@code retention-sweep-batch} per
 * transaction (a full batch is followed by the next at once). Then it calls {@code afterDelete}
 * with each id, so that a record still in memory can be stopped.
 */
final class TaskRetention extends AbstractBehavior<TaskRetention.Command> {

  /** Local messages only: timers and the sweeps' results. */
  interface Command {}

  private enum Sweep implements Command {
    INSTANCE
  }

  private record Swept(List<String> ids) implements Command {}

  private record SweepFailed(Throwable cause) implements Command {}

  private final ReadSideDatabase database;
  private final JournalRows journal;
  private final Duration retention;
  private final int batchSize;
  private final Consumer<String> afterDelete;
  private boolean sweeping;

  private TaskRetention(ActorContext<Command> context, ReadSideDatabase database, JournalRows journal,
      Duration retention, int batchSize, Consumer<String> afterDelete) {
    super(context);
    this.database = database;
    this.journal = journal;
    this.retention = retention;
    this.batchSize = batchSize;
    this.afterDelete = afterDelete;
  }

  /** Runs the sweeper as a cluster singleton; the listing's table must exist ({@link TaskListing#start}). */
  static void init(ActorSystem<?> system, Config settings, Consumer<String> afterDelete) {
    ClusterSingleton.get(system).init(SingletonActor.of(
        create(ReadSideDatabase.get(system), JournalRows.of(system), settings.getDuration("retention"),
            settings.getDuration("retention-sweep-interval"), settings.getInt("retention-sweep-batch"), afterDelete),
        "task-retention"));
  }

  static Behavior<Command> create(ReadSideDatabase database, JournalRows journal, Duration retention,
      Duration interval, int batchSize, Consumer<String> afterDelete) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, interval);
      return new TaskRetention(context, database, journal, retention, batchSize, afterDelete);
    }));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Sweep.INSTANCE, this::onSweep)
        .onMessage(Swept.class, this::onSwept)
        .onMessage(SweepFailed.class, this::onSweepFailed)
        .build();
  }

  private Behavior<Command> onSweep() {
    if (sweeping) {
      return this;
    }
    sweeping = true;
    long before = System.currentTimeMillis() - retention.toMillis();
    getContext().pipeToSelf(database.inTransaction(connection -> sweep(connection, before)),
        (ids, failure) -> failure == null ? new Swept(ids) : new SweepFailed(failure));
    return this;
  }

  private Behavior<Command> onSwept(Swept swept) {
    sweeping = false;
    if (swept.ids().isEmpty()) {
      return this;
    }
    getContext().getLog().info("Forgot {} tasks that finished more than {} ago", swept.ids().size(), retention);
    for (String id : swept.ids()) {
      try {
        afterDelete.accept(id);
      } catch (RuntimeException e) {
        getContext().getLog().warn("After forgetting task {}: {}", id, e.toString());
      }
    }
    if (swept.ids().size() == batchSize) {
      getContext().getSelf().tell(Sweep.INSTANCE); // more may be due
    }
    return this;
  }

  private Behavior<Command> onSweepFailed(SweepFailed failed) {
    sweeping = false;
    getContext().getLog().warn("Forgetting expired tasks failed; the next sweep tries again: {}",
        failed.cause().toString());
    return this;
  }

  /** One batch, in the caller's transaction: the ids forgotten. */
  private List<String> sweep(Connection connection, long finishedBefore) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement("SELECT id FROM colony_tasks WHERE finished_at < ? "
        + "AND status IN ('SUCCEEDED', 'FAILED', 'CANCELLED') ORDER BY finished_at LIMIT ?")) {
      select.setLong(1, finishedBefore);
      select.setInt(2, batchSize);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getString(1));
        }
      }
    }
    if (ids.isEmpty()) {
      return ids;
    }
    journal.delete(connection,
        ids.stream().map(id -> PersistenceId.of(TaskRecord.ENTITY_KEY.name(), id).id()).toList());
    try (PreparedStatement delete = connection.prepareStatement("DELETE FROM colony_tasks WHERE id = ?")) {
      for (String id : ids) {
        delete.setString(1, id);
        delete.addBatch();
      }
      delete.executeBatch();
    }
    return ids;
  }
}
