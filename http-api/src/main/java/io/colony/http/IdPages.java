package io.colony.http;

import io.colony.sharding.listing.IdListing;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code ?prefix=&after=&limit=} listings of keys and entity ids, read from the listing table
 * in the journal database ({@link IdListing}): ids in UTF-8 byte order, {@code after} is the
 * last id of the previous page (its {@code next}), {@code limit} 1–1000 (default 100). A database
 * that does not answer in time, or cannot be reached, gives 503 with Retry-After; any other
 * failure is a 500 ({@link ErrorHandling}).
 */
final class IdPages extends AllDirectives {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final IdListing listing;
  private final JsonSupport json;
  private final ErrorHandling errors;

  IdPages(IdListing listing, JsonSupport json, ErrorHandling errors) {
    this.listing = listing;
    this.json = json;
    this.errors = errors;
  }

  /** A page of the ids of {@code type}, answered as {@code body} makes it. */
  Route list(String type, Function<IdListing.Page, Object> body) {
    return parameterOptional("prefix", prefix -> parameterOptional("after", after ->
        parameterOptional("limit", limitText -> {
          int limit;
          try {
            limit = limitText.map(Integer::parseInt).orElse(DEFAULT_LIMIT);
          } catch (NumberFormatException e) {
            limit = -1;
          }
          if (limit < 1 || limit > MAX_LIMIT) {
            return complete(json.response(StatusCodes.BAD_REQUEST, new ApiError("invalid_limit",
                "limit must be a whole number from 1 to " + MAX_LIMIT + ".")));
          }
          int pageSize = limit;
          return errors.whenUnavailable("The listing did not answer in time; retry later.", () -> onSuccess(
              listing.list(type, prefix.orElse(""), after.orElse(null), pageSize),
              page -> complete(StatusCodes.OK, body.apply(page), json.marshaller())));
        })));
  }
}
