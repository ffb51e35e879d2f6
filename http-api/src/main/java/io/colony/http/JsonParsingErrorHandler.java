package io.colony.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON error model for requests so malformed that no route sees them (a bad request-target,
 * a broken header, 414 URI too long, 431 header fields too large, an unknown method): pekko-http
 * answers these itself, by default in plain text. Named by
 * {@code pekko.http.server.parsing.error-handler}; pekko-http makes one per connection.
 *
 * <p>Two statuses change: an unknown method (pekko-http's 501) and an unknown protocol version
 * (505) become 400, because every malformed request is the client's fault and a 5xx from this
 * API means the server failed. The connection is closed after the answer, as before.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {

  private static final Logger log = LoggerFactory.getLogger(JsonParsingErrorHandler.class);
  // Plain Jackson: this is created by class name, without the ActorSystem's configured mapper.
  private static final ObjectMapper MAPPER = new ObjectMapper();

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter pekkoLog, ServerSettings settings) {
    // One line at debug: a client sending garbage must not be able to flood the log.
    log.debug("Illegal request, answered {}: {}", status, info.formatPretty());
    int code = status.intValue();
    if (code == StatusCodes.NOT_IMPLEMENTED.intValue()) {
      return response(StatusCodes.BAD_REQUEST.intValue(), "unsupported_method",
          "'" + info.detail() + "' is not an HTTP method this API serves; it uses GET, PUT, POST and DELETE.");
    }
    if (code == StatusCodes.HTTPVERSION_NOT_SUPPORTED.intValue()) {
      return response(StatusCodes.BAD_REQUEST.intValue(), "unsupported_http_version",
          "The request line does not end in HTTP/1.0 or HTTP/1.1.");
    }
    String message = settings.verboseErrorMessages() ? info.formatPretty() : info.summary();
    return response(code, ErrorHandling.code(status), message.isBlank() ? status.reason() + "." : message);
  }

  private static HttpResponse response(int status, String error, String message) {
    String body;
    try {
      body = MAPPER.writeValueAsString(new ApiError(error, message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("An ApiError is always writable", e);
    }
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }
}
