package io.colony.http.metrics;

import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import java.util.Map;

/**
 * {@code GET /metrics}: the node's meters in the Prometheus text format. Who may read it is
 * {@link io.colony.http.ApiAuth}'s business ({@code colony.http.metrics-open}).
 */
public final class MetricsRoutes extends AllDirectives {

  /** {@link NodeMetrics#CONTENT_TYPE}; a custom charset object keeps the lower-case "utf-8" scrapers are used to. */
  private static final ContentType.WithCharset TEXT_004 = MediaTypes.customWithOpenCharset("text", "plain",
      Map.of("version", "0.0.4"), false).toContentType(HttpCharsets.custom("utf-8"));

  private final NodeMetrics metrics;

  public MetricsRoutes(NodeMetrics metrics) {
    this.metrics = metrics;
  }

  public Route routes() {
    return path("metrics", () -> get(() -> onSuccess(metrics.scrape(),
        text -> complete(HttpResponse.create().withEntity(HttpEntities.create(TEXT_004, text))))));
  }
}
