package io.colony.http.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Complete;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.server.RouteResult;

/**
 * Counts, times and gauges every request that reaches the routes, labelled by route template
 * ({@link RouteTemplate}), method and status: {@code colony_http_requests_total},
 * {@code colony_http_request_seconds} (a histogram; the time until the response starts, so an
 * event stream counts until its headers) and {@code colony_http_requests_in_flight}. Composed
 * around the JSON error model, so it sees the status the client gets. Requests that pekko-http
 * answers itself (request timeout, unparsable requests) are not counted.
 */
public final class HttpMetrics extends AllDirectives {

  /** Methods pekko-http knows; anything else is labelled {@code other}, so the label stays bounded. */
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH");
  /** Few explicit buckets instead of Micrometer's ~70 per series: enough for p50/p99 of an API. */
  private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  private final MeterRegistry registry;
  private final AtomicInteger inFlight = new AtomicInteger();

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("colony.http.requests.in.flight", inFlight, AtomicInteger::get)
        .description("HTTP requests this node is answering now")
        .register(registry);
  }

  public Route measure(Route inner) {
    return extractRequest(request -> {
      String route = RouteTemplate.of(request.getUri().path());
      String method = METHODS.contains(request.method().value()) ? request.method().value() : "other";
      long start = System.nanoTime();
      inFlight.incrementAndGet();
      return mapRouteResultFuture(result -> result.whenComplete((done, failure) -> {
        inFlight.decrementAndGet();
        record(route, method, status(done, failure), System.nanoTime() - start);
      }), () -> inner);
    });
  }

  private void record(String route, String method, String status, long nanos) {
    Counter.builder("colony.http.requests")
        .description("HTTP requests answered, by route template, method and status")
        .tags("route", route, "method", method, "status", status)
        .register(registry)
        .increment();
    Timer.builder("colony.http.request")
        .description("Time until the response starts, by route template and method")
        .tags("route", route, "method", method)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The status sent; a route that failed or rejected (which ErrorHandling should never let out) as 500 or 404. */
  private static String status(RouteResult result, Throwable failure) {
    if (failure == null && result instanceof Complete complete) {
      return String.valueOf(complete.getResponse().status().intValue());
    }
    return failure != null ? "500" : "404";
  }
}
