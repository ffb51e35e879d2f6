package io.colony.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.tasks.TaskListing;
import io.colony.tasks.TaskRecord;
import io.colony.tasks.TaskScheduler;
import io.colony.tasks.TaskStatus;
import io.colony.tasks.TaskSubmission;
import io.colony.tasks.TaskView;
import io.colony.tasks.TaskWorker;
import io.colony.tasks.Tasks;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** {@code /v1/tasks} and {@code /v1/workers}, each matched relative to its prefix: distributed computation. */
public final class TaskRoutes extends AllDirectives {

  static final int DEFAULT_LIST_LIMIT = 100;
  static final int MAX_LIST_LIMIT = 1000;

  /** The body of 202 Accepted. */
  public record Accepted(String id, TaskStatus status) {}

  /** The body of a listing; {@code next} is the {@code after} of the next page, null on the last. */
  public record TaskList(List<TaskListing.TaskSummary> tasks, String next) {}

  /** {@code scheduler} is null when the scheduler did not answer in time (e.g. while it moves). */
  public record Workers(List<TaskWorker.WorkerStats> workers, TaskScheduler.Status scheduler) {}

  private final Tasks tasks;
  private final TaskSubmission submission;
  private final JsonSupport json;
  private final ErrorHandling errors;

  public TaskRoutes(Tasks tasks, TaskSubmission submission, JsonSupport json, ErrorHandling errors) {
    this.tasks = tasks;
    this.submission = submission;
    this.json = json;
    this.errors = errors;
  }

  /** Under {@code /v1/tasks}. */
  public Route routes() {
    return concat(
        pathEnd(() -> concat(post(this::submit), get(this::list))),
        path(segment(), id -> TaskSubmission.isValidId(id)
            ? concat(get(() -> read(id)), delete(() -> cancel(id)))
            : complete(badRequest("invalid_task_id",
                "A task id is 1 to 128 letters, digits, '-', '_' or '.'; ids come from POST /v1/tasks."))));
  }

  /** Under {@code /v1/workers}. */
  public Route workerRoutes() {
    return pathEnd(() -> get(this::workers));
  }

  private Route submit() {
    return optionalHeaderValueByName("Idempotency-Key", key -> entity(Unmarshaller.entityToString(), text -> {
      JsonNode body;
      try {
        body = json.mapper().readTree(text);
      } catch (Exception e) {
        return complete(badRequest("invalid_json", "The body is not valid JSON."));
      }
      if (key.isPresent() && (key.get().isBlank() || key.get().length() > 255)) {
        return complete(badRequest("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters."));
      }
      try {
        var spec = submission.toSpec(body, text.length(), key, System.currentTimeMillis(), tasks::newTaskId);
        return errors.whenUnavailable("The task service did not answer in time: the task may or may not have been "
                + "accepted. Retry with the same Idempotency-Key to be sure; a repeated key never makes a second task.",
            () -> onSuccess(tasks.submit(spec), reply -> complete(submitted(reply))));
      } catch (IllegalArgumentException e) {
        return complete(badRequest("invalid_task", e.getMessage()));
      }
    }));
  }

  private HttpResponse submitted(TaskRecord.SubmitReply reply) {
    if (reply instanceof TaskRecord.Accepted accepted) {
      TaskView view = accepted.task();
      return json.response(StatusCodes.ACCEPTED, new Accepted(view.id(), view.status()))
          .addHeader(Location.create("/v1/tasks/" + view.id()));
    }
    if (reply instanceof TaskRecord.QueueFull full) {
      return errors.tooMany("queue_full", "The task queue holds " + full.maxQueued()
          + " unfinished tasks (colony.tasks.max-queued); nothing was stored. Retry later.");
    }
    if (reply instanceof TaskRecord.KeyReused reused) {
      return json.response(StatusCodes.UNPROCESSABLE_ENTITY, new ApiError("idempotency_key_reused",
          "This Idempotency-Key was used for task " + reused.existing().id() + " with a different body."));
    }
    TaskRecord.NotQueued notQueued = (TaskRecord.NotQueued) reply;
    return errors.unavailable("The task was not accepted and nothing was stored (" + notQueued.reason()
        + "); retry, with an Idempotency-Key to be safe.");
  }

  private Route read(String id) {
    return taskService(() -> onSuccess(tasks.get(id), view -> complete(viewOrNotFound(view))));
  }

  private Route cancel(String id) {
    return taskService(() -> onSuccess(tasks.cancel(id), view -> complete(cancelled(view))));
  }

  private HttpResponse cancelled(TaskView view) {
    if (!view.exists()) {
      return notFound();
    }
    if (view.status() != TaskStatus.CANCELLED) {
      return json.response(StatusCodes.CONFLICT, new ApiError("already_finished",
          "The task already ended with " + view.status() + "; it cannot be cancelled."));
    }
    return json.response(StatusCodes.OK, view);
  }

  /** From the listing table in the journal database; 503 when the database does not answer in time or cannot be reached. */
  private Route list() {
    return parameterOptional("status", status -> parameterOptional("type", type ->
        parameterOptional("after", after -> parameterOptional("limit", limit -> {
          TaskListing.Query query;
          try {
            query = listQuery(status, type, after, limit);
          } catch (IllegalArgumentException e) {
            return complete(badRequest("invalid_query", e.getMessage()));
          }
          return taskService(() -> onSuccess(tasks.list(query),
              page -> complete(StatusCodes.OK, new TaskList(page.tasks(), page.next()), json.marshaller())));
        }))));
  }

  private TaskListing.Query listQuery(Optional<String> statusText, Optional<String> type, Optional<String> after,
      Optional<String> limitText) {
    TaskStatus status;
    try {
      status = statusText.map(s -> TaskStatus.valueOf(s.toUpperCase(Locale.ROOT))).orElse(null);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("status must be one of " + List.of(TaskStatus.values()) + ".");
    }
    if (type.isPresent() && tasks.handlers().find(type.get()).isEmpty()) {
      throw new IllegalArgumentException("type must be one of " + tasks.handlers().types() + ".");
    }
    int limit;
    try {
      limit = limitText.map(Integer::parseInt).orElse(DEFAULT_LIST_LIMIT);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new IllegalArgumentException("limit must be a whole number from 1 to " + MAX_LIST_LIMIT + ".");
    }
    return new TaskListing.Query(status, type.orElse(null), after.map(TaskListing.Cursor::decode).orElse(null), limit);
  }

  private Route workers() {
    CompletableFuture<TaskScheduler.Status> scheduler = tasks.schedulerStatus().toCompletableFuture()
        .exceptionally(notNow -> null);
    return taskService(() -> onSuccess(tasks.workers().thenCombine(scheduler, Workers::new),
        workers -> complete(StatusCodes.OK, workers, json.marshaller())));
  }

  private HttpResponse viewOrNotFound(TaskView view) {
    return view.exists() ? json.response(StatusCodes.OK, view) : notFound();
  }

  private HttpResponse notFound() {
    return json.response(StatusCodes.NOT_FOUND, new ApiError("not_found", "No task has this id."));
  }

  private HttpResponse badRequest(String code, String message) {
    return json.response(StatusCodes.BAD_REQUEST, new ApiError(code, message));
  }

  /** 503 with Retry-After when the cluster did not answer in time; a read or a cancel can simply be repeated. */
  private Route taskService(Supplier<Route> inner) {
    return errors.whenUnavailable("The task service did not answer in time; retry later.", inner);
  }
}
