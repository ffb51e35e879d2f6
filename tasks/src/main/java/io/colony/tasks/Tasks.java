package io.colony.tasks;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Distributed computation on one node: starts its part (the scheduler singleton's proxy, the
 * task-record shard region, the worker pool, the listing's projection and the retention sweeper)
 * and is what the HTTP API calls.
 */
public final class Tasks {

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ActorRef<TaskScheduler.Command> scheduler;
  private final TaskHandlers handlers;
  private final TaskListing listing;
  private final LocalShards localShards;
  private final ActorRef<TaskWorker.Command> worker;
  private final Duration askTimeout;

  private Tasks(ActorSystem<?> system, ClusterSharding sharding, ActorRef<TaskScheduler.Command> scheduler,
      TaskHandlers handlers, TaskListing listing, LocalShards localShards, ActorRef<TaskWorker.Command> worker,
      Duration askTimeout) {
    this.system = system;
    this.sharding = sharding;
    this.scheduler = scheduler;
    this.handlers = handlers;
    this.listing = listing;
    this.localShards = localShards;
    this.worker = worker;
    this.askTimeout = askTimeout;
  }

  public static Tasks start(ActorSystem<?> system, Duration askTimeout) {
    Config settings = system.settings().config().getConfig("colony.tasks");
    TaskHandlers handlers = TaskHandlers.load(Tasks.class.getClassLoader());
    ClusterSharding sharding = ClusterSharding.get(system);
    TaskRecords records = new ShardedTaskRecords(sharding, settings.getDuration("record-ask-timeout"));
    ActorRef<TaskScheduler.Command> scheduler = ClusterSingleton.get(system)
        .init(SingletonActor.of(TaskScheduler.create(records, settings), "task-scheduler"));
    // The record must give up (and say "not queued, nothing stored") before the HTTP ask times
    // out (which could only say "unknown"): at most 60% of the ask timeout.
    Duration enqueueTimeout = min(settings.getDuration("enqueue-timeout"), askTimeout.multipliedBy(3).dividedBy(5));
    Duration journalRunningAfter = settings.getDuration("journal-running-after");
    Duration finishedIdle = settings.getDuration("finished-record-idle");
    sharding.init(Entity.of(TaskRecord.ENTITY_KEY,
        ctx -> TaskRecord.create(ctx.getEntityId(), scheduler, enqueueTimeout, journalRunningAfter, ctx.getShard(),
            finishedIdle)));
    ActorRef<TaskWorker.Command> worker = system.systemActorOf(TaskWorker.create(scheduler, records, handlers, settings), "task-worker", Props.empty());
    TaskListing listing = TaskListing.start(system, settings);
    // A forgotten task's record leaves memory too, so GET is 404 as soon as its rows are gone.
    TaskRetention.init(system, settings,
        taskId -> sharding.entityRefFor(TaskRecord.ENTITY_KEY, taskId).tell(new TaskRecord.Forget()));
    LocalShards localShards = LocalShards.follow(system, TaskRecord.ENTITY_KEY.name(),
        settings.getDuration("local-id.refresh"), settings.getInt("local-id.tries"));
    return new Tasks(system, sharding, scheduler, handlers, listing, localShards, worker, askTimeout);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  public TaskHandlers handlers() {
    return handlers;
  }

  /** An id for a new task, preferably one whose record this node hosts (see {@link LocalShards}). */
  public String newTaskId() {
    return localShards.newId();
  }

  /**
   * Accepts a task once it is in the scheduler's durable queue (see {@link TaskRecord}); for an
   * id that exists already (Idempotency-Key) answers that task, or that the key was reused.
   */
  public CompletionStage<TaskRecord.SubmitReply> submit(TaskSpec spec) {
    return sharding.entityRefFor(TaskRecord.ENTITY_KEY, spec.id())
        .ask(replyTo -> new TaskRecord.Submit(spec, replyTo, System.currentTimeMillis() + askTimeout.toMillis()),
            askTimeout);
  }

  public CompletionStage<TaskView> get(String id) {
    return sharding.entityRefFor(TaskRecord.ENTITY_KEY, id).ask(TaskRecord.Get::new, askTimeout);
  }

  public CompletionStage<TaskView> cancel(String id) {
    return sharding.entityRefFor(TaskRecord.ENTITY_KEY, id).ask(TaskRecord.Cancel::new, askTimeout);
  }

  /** A page of the task listing: eventually consistent, queried on the read-side dispatcher ({@link TaskListing}). */
  public CompletionStage<TaskListing.Page> list(TaskListing.Query query) {
    return listing.list(query);
  }

  public CompletionStage<TaskScheduler.Status> schedulerStatus() {
    return AskPattern.ask(scheduler, TaskScheduler.GetStatus::new, askTimeout, system.scheduler());
  }

  /** This node's worker pool (for its metrics). */
  public CompletionStage<TaskWorker.WorkerStats> localWorker() {
    return AskPattern.ask(worker, TaskWorker.GetStats::new, askTimeout, system.scheduler());
  }

  /** Every reachable node's worker pool; a pool that does not answer in time is left out. */
  public CompletionStage<List<TaskWorker.WorkerStats>> workers() {
    CompletionStage<Receptionist.Listing> listing = AskPattern.ask(system.receptionist(),
        replyTo -> Receptionist.find(TaskWorker.SERVICE_KEY, replyTo), askTimeout, system.scheduler());
    return listing.thenComposeAsync(found -> {
      List<CompletableFuture<TaskWorker.WorkerStats>> asks = new ArrayList<>();
      for (ActorRef<TaskWorker.Command> worker : found.getServiceInstances(TaskWorker.SERVICE_KEY)) {
        asks.add(AskPattern.<TaskWorker.Command, TaskWorker.WorkerStats>ask(worker, TaskWorker.GetStats::new,
                askTimeout, system.scheduler())
            .toCompletableFuture().exceptionallyAsync(failure -> null, system.executionContext()));
      }
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> asks.stream()
          .map(CompletableFuture::join)
          .filter(java.util.Objects::nonNull)
          .sorted(java.util.Comparator.comparing(TaskWorker.WorkerStats::node))
          .toList());
    }, system.executionContext());
  }
}
