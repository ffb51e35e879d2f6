package io.colony.http;

import io.colony.persistence.JournalHealth;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one failure path of the HTTP API. Every request gets a request id ({@code X-Request-Id}:
 * the client's when it sends a sane one, else a new one), echoed on every response. Routes
 * complete with {@code onSuccess} and let failures flow here:
 * <ul>
 *   <li>not answered in time (an ask or request timeout), or the database could not be reached
 *       → 503 with {@code Retry-After}; a route may say more with {@link #whenUnavailable};</li>
 *   <li>a body over a limit → 413; rejections keep pekko-http's 4xx status;</li>
 *   <li>anything else is a bug → 500 {@code internal_error} with the request id, logged once.</li>
 * </ul>
 * Every answer is JSON {@code {"error": code, "message": text}}; never an HTML page or a stack trace.
 */
public final class ErrorHandling extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

  static final String REQUEST_ID = "X-Request-Id";

  /** A client's request id is used when it is this plain; anything else could garble logs. */
  private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:@+/=-]{1,128}");

  /** The body of a 500: {@code requestId} is what a user quotes to find the failure in the node's log. */
  public record InternalError(String error, String message, String requestId) {}

  private final JsonSupport json;
  private final Duration retryAfter;
  // Built once: the directives below take them on every request.
  private final ExceptionHandler exceptions;
  private final RejectionHandler rejections;

  public ErrorHandling(JsonSupport json, Duration retryAfter) {
    this.json = json;
    this.retryAfter = retryAfter;
    this.exceptions = exceptionHandler();
    this.rejections = rejectionHandler();
  }

  /** Wraps the API so that nothing leaves it except JSON, and every answer carries the request id. */
  public Route handle(Route inner) {
    return withRequestId(id -> respondWithHeader(RawHeader.create(REQUEST_ID, id), () -> withRequestTimeoutResponse(
        // Built by the server, not the route: it does not pass respondWithHeader.
        request -> unavailable("The request could not be answered in time; retry later.")
            .addHeader(RawHeader.create(REQUEST_ID, id)),
        () -> handleExceptions(exceptions, () -> handleRejections(rejections, () -> inner)))));
  }

  /**
   * Answers a failure of {@code inner} that is worth a retry (see {@link #isUnavailable}) with 503
   * and {@code message}, which says what the route knows, e.g. whether anything was stored. Every
   * other failure goes on to the one handler of {@link #handle}.
   */
  public Route whenUnavailable(String message, Supplier<Route> inner) {
    return handleExceptions(ExceptionHandler.newBuilder()
        .match(Throwable.class, ErrorHandling::isUnavailable, e -> complete(unavailable(message)))
        .build(), inner);
  }

  /**
   * Not answered in time (an ask timeout, also wrapped in a {@link CompletionException}), a
   * circuit breaker that is open, or a database that cannot be reached (or is damaged, which
   * {@link JournalHealth} reports): a retry may succeed, it is not a bug.
   */
  static boolean isUnavailable(Throwable failure) {
    Throwable cause = unwrap(failure);
    return cause instanceof TimeoutException // Pekko's AskTimeoutException is one
        || cause instanceof CircuitBreakerOpenException
        || cause instanceof SQLTransientException
        || cause instanceof SQLRecoverableException
        || cause instanceof SQLNonTransientConnectionException
        || cause instanceof SQLException && JournalHealth.classify(cause) == JournalHealth.Condition.DAMAGED;
  }

  /** The failure inside the wrappers that futures put around it. */
  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The client's sane X-Request-Id, else a new one; put on the request so the handlers below see it. */
  private Route withRequestId(Function<String, Route> inner) {
    return optionalHeaderValueByName(REQUEST_ID, given -> {
      String id = given.filter(value -> SANE_REQUEST_ID.matcher(value).matches())
          .orElseGet(() -> UUID.randomUUID().toString());
      return mapRequest(request -> request.removeHeader(REQUEST_ID).addHeader(RawHeader.create(REQUEST_ID, id)),
          () -> inner.apply(id));
    });
  }

  /** 503 with Retry-After, for anything that did not answer in time. */
  public HttpResponse unavailable(String message) {
    return json.response(StatusCodes.SERVICE_UNAVAILABLE, new ApiError("unavailable", message))
        .addHeader(RetryAfter.create(Math.max(1, retryAfter.toSeconds())));
  }

  /** 429 with Retry-After: a bound is reached (e.g. the task queue is full); nothing was stored. */
  public HttpResponse tooMany(String code, String message) {
    return json.response(StatusCodes.TOO_MANY_REQUESTS, new ApiError(code, message))
        .addHeader(RetryAfter.create(Math.max(1, retryAfter.toSeconds())));
  }

  /** 413: the request body is larger than {@code limit} bytes, the most this resource accepts. */
  public HttpResponse tooLarge(String code, long limit) {
    return json.response(StatusCodes.PAYLOAD_TOO_LARGE, new ApiError(code,
        "The request body is larger than the " + limit + " bytes accepted here; nothing was stored or sent."));
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        // A body over pekko.http.server.parsing.max-content-length or a route's withSizeLimit:
        // the client's doing, so a 413 without an error log.
        .match(Throwable.class, e -> unwrap(e) instanceof EntityStreamSizeException,
            e -> complete(tooLarge(code(StatusCodes.PAYLOAD_TOO_LARGE), ((EntityStreamSizeException) unwrap(e)).limit())))
        .match(Throwable.class, ErrorHandling::isUnavailable,
            e -> complete(unavailable("The request could not be answered in time; retry later.")))
        .matchAny(e -> extractRequest(request -> complete(internalError(request, e))))
        .build();
  }

  /** A bug: logged here, once, with the request id the client got; the client sees no internals. */
  private HttpResponse internalError(HttpRequest request, Throwable failure) {
    String id = request.getHeader(REQUEST_ID).map(header -> header.value()).orElse("none");
    log.error("Request {} ({} {}) failed", id, request.method().value(), request.getUri().path(), unwrap(failure));
    return json.response(StatusCodes.INTERNAL_SERVER_ERROR, new InternalError("internal_error",
        "The server failed to handle the request. Quote request id " + id + " when you report it.", id));
  }

  /** Pekko's default rejection handling decides the status; this only rewrites the body to JSON. */
  private RejectionHandler rejectionHandler() {
    return RejectionHandler.newBuilder()
        .handle(MalformedRequestContentRejection.class, this::malformedContent)
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(this::toJson);
  }

  /** As pekko-http's default, but a body that is too large says so in a sentence, not an exception's text. */
  private Route malformedContent(MalformedRequestContentRejection rejection) {
    if (rejection.getCause() instanceof EntityStreamSizeException tooBig) {
      return complete(tooLarge(code(StatusCodes.PAYLOAD_TOO_LARGE), tooBig.limit()));
    }
    return complete(json.response(StatusCodes.BAD_REQUEST,
        new ApiError("bad_request", "The request content was malformed: " + rejection.message())));
  }

  private HttpResponse toJson(HttpResponse response) {
    HttpEntity entity = response.entity();
    if (entity.getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)
        || !(entity instanceof HttpEntity.Strict strict)) {
      return response;
    }
    String message = strict.getData().utf8String();
    return response.withEntity(
        org.apache.pekko.http.javadsl.model.HttpEntities.create(
            org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON,
            json.write(new ApiError(code(response.status()), message))));
  }

  /** "Method Not Allowed" → "method_not_allowed". */
  static String code(StatusCode status) {
    return status.reason().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
  }
}
