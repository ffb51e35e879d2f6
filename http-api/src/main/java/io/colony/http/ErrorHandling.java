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
import org.apache.pekko.http.javadsl.server.MalformedRequestContentRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
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

  /** 413: the request body is larger than {@code limit} bytes, the most this resource accepts. */
  public HttpResponse tooLarge(String code, long limit) {
    return json.response(StatusCodes.PAYLOAD_TOO_LARGE, new ApiError(code,
        "The request body is larger than the " + limit + " bytes accepted here; nothing was stored or sent."));
  }

  private ExceptionHandler exceptionHandler() {
    return ExceptionHandler.newBuilder()
        // A body over pekko.http.server.parsing.max-content-length or a route's withSizeLimit:
        // the client's doing, so a 413 without an error log.
        .match(EntityStreamSizeException.class, e -> complete(tooLarge(code(StatusCodes.PAYLOAD_TOO_LARGE), e.limit())))
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
