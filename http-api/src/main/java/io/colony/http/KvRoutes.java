package io.colony.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.colony.sharding.kv.KeyValueEntity;
import io.colony.sharding.kv.KeyValueStore;
import io.colony.sharding.kv.Precondition;
import io.colony.sharding.listing.IdListing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.apache.pekko.stream.Materializer;

/**
 * {@code /v1/kv}, matched relative to its prefix: one sharded, event-sourced entity per key. A 2xx answer to a change is sent
 * only after the entity has written its event to the journal.
 */
public final class KvRoutes extends AllDirectives {

  static final int MAX_KEY_BYTES = 512;
  static final long MAX_VALUE_BYTES = 1024 * 1024;

  /** The JSON body of a successful PUT. */
  public record WriteResult(String key, long version) {}

  /** The JSON body of a key listing; {@code next} is the {@code after} value of the next page, null on the last. */
  public record KeyList(List<String> keys, String next) {}

  private final KeyValueStore store;
  private final IdListing listing;
  private final JsonSupport json;
  private final ErrorHandling errors;
  private final Duration bodyTimeout;
  private final Materializer materializer;
  private final ExceptionHandler valueTooLarge;

  public KvRoutes(KeyValueStore store, IdListing listing, JsonSupport json, ErrorHandling errors,
      Duration bodyTimeout, Materializer materializer) {
    this.store = store;
    this.listing = listing;
    this.json = json;
    this.errors = errors;
    this.bodyTimeout = bodyTimeout;
    this.materializer = materializer;
    this.valueTooLarge = ExceptionHandler.newBuilder()
        .match(Throwable.class, e -> ErrorHandling.unwrap(e) instanceof EntityStreamSizeException, e -> complete(tooLarge()))
        .build();
  }

  /** Under {@code /v1/kv}: the listing at its end, one key per segment after it. */
  public Route routes() {
    return concat(
        pathEnd(() -> get(this::list)),
        pathSingleSlash(() -> complete(badKey("The key must not be empty."))),
        path(segment(), key -> concat(
            put(() -> withKey(key, this::put)),
            get(() -> withKey(key, this::read)),
            delete(() -> withKey(key, this::delete)))));
  }

  /** A timeout says only to retry: whether a change was applied is unknown then. */
  private Route keyEntity(Supplier<Route> inner) {
    return errors.whenUnavailable("The key's entity did not answer in time; retry later.", inner);
  }

  private Route withKey(String key, Function<String, Route> inner) {
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_KEY_BYTES) {
      return complete(badKey("The key is " + bytes + " bytes of UTF-8; at most " + MAX_KEY_BYTES + " are allowed."));
    }
    if (key.indexOf('\0') >= 0) {
      // Also refused for the whole request-target (RequestTarget); kept here so the key rules stay in one place.
      return complete(badKey("A key cannot hold NUL (%00): the journal cannot store it."));
    }
    return inner.apply(key);
  }

  private HttpResponse badKey(String message) {
    return json.response(StatusCodes.BAD_REQUEST, new ApiError("invalid_key", message));
  }

  // --- PUT ---

  private Route put(String key) {
    return preconditionFromHeaders(precondition -> extractRequestEntity(entity -> {
      Optional<Long> declared = entity.getContentLengthOption().isPresent()
          ? Optional.of(entity.getContentLengthOption().getAsLong()) : Optional.empty();
      if (declared.isPresent() && declared.get() > MAX_VALUE_BYTES) {
        return complete(tooLarge());
      }
      // A chunked body over the limit fails while it is read: the same 413 as a declared one.
      return handleExceptions(valueTooLarge, () -> keyEntity(() -> onSuccess(
          entity.withSizeLimit(MAX_VALUE_BYTES).toStrict(bodyTimeout.toMillis(), materializer),
          strict -> onSuccess(store.put(key, strict.getData().toArray(), contentTypeOf(entity), precondition),
              reply -> complete(answerPut(key, reply))))));
    }));
  }

  private static String contentTypeOf(HttpEntity entity) {
    ContentType type = entity.getContentType();
    // pekko-http reports a missing Content-Type as application/octet-stream, which is our default too.
    return type.toString();
  }

  private HttpResponse answerPut(String key, KeyValueEntity.Reply reply) {
    if (reply instanceof KeyValueEntity.Written written) {
      return json.response(StatusCodes.OK, new WriteResult(key, written.version())).addHeader(etag(written.version()));
    }
    return preconditionFailedOrUnexpected(reply);
  }

  // --- GET ---

  private Route read(String key) {
    return keyEntity(() -> onSuccess(store.get(key), reply -> complete(answerGet(reply))));
  }

  private HttpResponse answerGet(KeyValueEntity.Reply reply) {
    if (reply instanceof KeyValueEntity.Found found) {
      ContentType type = ContentTypes.parse(found.contentType());
      return HttpResponse.create()
          .withStatus(StatusCodes.OK)
          .withEntity(HttpEntities.create(type, found.value()))
          .addHeader(etag(found.version()));
    }
    if (reply instanceof KeyValueEntity.NotFound) {
      return json.response(StatusCodes.NOT_FOUND, new ApiError("not_found", "No value is stored under this key."));
    }
    return unexpected(reply);
  }

  // --- DELETE ---

  private Route delete(String key) {
    return preconditionFromHeaders(precondition -> keyEntity(() -> onSuccess(store.delete(key, precondition),
        reply -> complete(reply instanceof KeyValueEntity.Deleted
            ? HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
            : preconditionFailedOrUnexpected(reply)))));
  }

  // --- listing ---

  private Route list() {
    return new IdPages(listing, json, errors)
        .list(IdListing.KV_TYPE, page -> new KeyList(page.ids(), page.next()));
  }

  // --- shared pieces ---

  /** If-Match / If-None-Match → the entity's precondition; malformed headers are a 400. */
  private Route preconditionFromHeaders(Function<Precondition, Route> inner) {
    return optionalHeaderValueByName("If-Match", ifMatch -> optionalHeaderValueByName("If-None-Match", ifNoneMatch -> {
      try {
        return inner.apply(Preconditions.parse(ifMatch, ifNoneMatch));
      } catch (IllegalArgumentException e) {
        return complete(json.response(StatusCodes.BAD_REQUEST, new ApiError("invalid_precondition", e.getMessage())));
      }
    }));
  }

  private HttpResponse preconditionFailedOrUnexpected(KeyValueEntity.Reply reply) {
    if (reply instanceof KeyValueEntity.PreconditionFailed failed) {
      String message = failed.exists()
          ? "The key is at version " + failed.currentVersion() + "; the precondition does not hold."
          : "The key does not exist; the precondition does not hold.";
      HttpResponse response = json.response(StatusCodes.PRECONDITION_FAILED, new ApiError("precondition_failed", message));
      return failed.exists() ? response.addHeader(etag(failed.currentVersion())) : response;
    }
    return unexpected(reply);
  }

  private HttpResponse tooLarge() {
    return json.response(StatusCodes.PAYLOAD_TOO_LARGE,
        new ApiError("value_too_large", "A value may be at most " + MAX_VALUE_BYTES + " bytes (1 MiB)."));
  }

  private static HttpResponse unexpected(KeyValueEntity.Reply reply) {
    throw new IllegalStateException("Unexpected reply " + reply);
  }

  static HttpHeader etag(long version) {
    return ETag.create(EntityTag.create(Long.toString(version), false));
  }
}
