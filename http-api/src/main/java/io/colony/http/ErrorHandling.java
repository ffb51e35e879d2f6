package io.colony.http;

import java.time.Duration;
import java.util.Locale;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON error model: every rejection, unhandled exception and request timeout becomes
 * {@code {"error": code, "message": text}}; never an HTML page or a stack trace.
 */
public final class ErrorHandling extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);

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

  /** Wraps the API so that nothing leaves it except JSON. */
  public Route handle(Route inner) {
    return withRequestTimeoutResponse(
        request -> unavailable("The request could not be answered in time; retry later."),
        () -> handleExceptions(exceptions, () -> handleRejections(rejections, () -> inner)));
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

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        .matchAny(e -> {
          log.error("Unhandled error while serving a request", e);
          return complete(json.response(
              StatusCodes.INTERNAL_SERVER_ERROR,
              new ApiError("internal_error", "The server failed to handle the request.")));
        })
        .build();
  }

  /** Pekko's default rejection handling decides the status; this only rewrites the body to JSON. */
  private RejectionHandler rejectionHandler() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(this::toJson);
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
