package io.colony.testkit;

import io.colony.tasks.TaskRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Writes task events into a node's journal as a task record would (persistence id
 * {@code task|<id>}, tag {@code task}), many tasks at once: input for the task listing's
 * projection without running thousands of tasks. The records themselves stay asleep.
 */
public final class TaskJournal {

  private TaskJournal() {}

  /** Persists each task's events, at most {@code parallelism} tasks at a time; blocks until all are written. */
  public static void write(ActorSystem<?> system, Map<String, List<TaskRecord.Event>> eventsById, int parallelism) {
    try {
      Source.from(List.copyOf(eventsById.entrySet()))
          .mapAsyncUnordered(parallelism, task -> {
            ActorRef<Write> writer =
                system.systemActorOf(writer(task.getKey()), "task-journal-" + task.getKey(), Props.empty());
            return AskPattern.<Write, Done>ask(writer, replyTo -> new Write(task.getValue(), replyTo),
                Duration.ofSeconds(30), system.scheduler());
          })
          .runWith(Sink.ignore(), system)
          .toCompletableFuture()
          .get(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("Writing task events failed", e);
    }
  }

  private record Write(List<TaskRecord.Event> events, ActorRef<Done> replyTo) {}

  private static Behavior<Write> writer(String taskId) {
    return new Writer(taskId);
  }

  private static final class Writer extends EventSourcedBehavior<Write, TaskRecord.Event, Integer> {

    Writer(String taskId) {
      super(PersistenceId.of(TaskRecord.ENTITY_KEY.name(), taskId));
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Write, TaskRecord.Event, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Write.class, (count, write) -> Effect().persist(write.events())
              .thenRun(state -> write.replyTo().tell(Done.getInstance()))
              .thenStop())
          .build();
    }

    @Override
    public EventHandler<Integer, TaskRecord.Event> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((count, event) -> count + 1);
    }

    @Override
    public Set<String> tagsFor(TaskRecord.Event event) {
      return Set.of(TaskRecord.TAG);
    }

    @Override
    public Recovery recovery() {
      return Recovery.withSnapshotSelectionCriteria(SnapshotSelectionCriteria.none());
    }
  }
}
