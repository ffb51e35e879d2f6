package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.colony.http.testing.InJvmNode;
import io.colony.persistence.JournalDatabase;
import io.colony.sharding.ShardPlacement;
import io.colony.sharding.kv.KeyValueEntity;
import java.net.URI;
import java.net.http.HttpRequest;
import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.pattern.CircuitBreakerOpenException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The one failure path: a time-out is 503 with Retry-After; any other failure, in any route, is
 * a JSON 500 that names the request id and is logged once with it; every answer carries the id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class ErrorHandlingTest extends AllDirectives {

  private final ActorTestKit testKit = ActorTestKit.create();
  // Not a cluster: Colony's shard placement fails on it at once, as a bug would.
  private final ActorTestKit notACluster = ActorTestKit.create("not-a-cluster",
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private String base;
  private ColonyNode node;
  private String nodeBase;

  @BeforeAll
  void bind() throws Exception {
    JsonSupport json = new JsonSupport(testKit.system());
    ErrorHandling errors = new ErrorHandling(json, Duration.ofSeconds(2));
    ShardRoutes shards = new ShardRoutes(new ShardPlacement(notACluster.system(), Duration.ofSeconds(1)),
        List.of(KeyValueEntity.ENTITY_KEY), json, errors);
    Route routes = concat(
        path("boom", () -> get(() -> {
          throw new IllegalStateException("secret internals");
        })),
        path("slow", () -> withRequestTimeout(Duration.ofMillis(300),
            () -> onSuccess(new CompletableFuture<String>(), this::complete))),
        path("ask-timeout", () -> onSuccess(CompletableFuture.<String>failedFuture(
            new AskTimeoutException("Ask timed out on [entity] after [5000 ms]")), this::complete)),
        path("wrapped-ask-timeout", () -> onSuccess(CompletableFuture.<String>failedFuture(
            new AskTimeoutException("Ask timed out")).thenApply(text -> text + "!"), this::complete)),
        path("route-knows", () -> errors.whenUnavailable("Nothing was stored; retry later.",
            () -> onSuccess(CompletableFuture.<String>failedFuture(new AskTimeoutException("Ask timed out")),
                this::complete))),
        path("bug-where-timeouts-are-expected", () -> errors.whenUnavailable("Nothing was stored; retry later.",
            () -> onSuccess(CompletableFuture.<String>failedFuture(new ClassCastException("secret internals")),
                this::complete))),
        pathPrefix("shards", shards::routes));
    int port = FreePorts.next();
    Http.get(testKit.system()).newServerAt("127.0.0.1", port).bind(errors.handle(routes))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + port;
    startNodeWithBrokenListings();
  }

  /** A real node whose listing tables are gone: a schema bug, not a database that is away. */
  private void startNodeWithBrokenListings() throws Exception {
    int httpPort = FreePorts.next();
    node = ColonyNode.start(InJvmNode.config(httpPort, FreePorts.next(), Map.of(), ""));
    nodeBase = "http://127.0.0.1:" + httpPort;
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> HttpJson.status(nodeBase + "/ready") == 200);
    JournalDatabase database = JournalDatabase.ofPlugin(node.system().settings().config());
    try (Connection connection = DriverManager.getConnection(database.url(), database.user(), database.password())) {
      connection.createStatement().execute("DROP TABLE colony_entity_ids");
      connection.createStatement().execute("DROP TABLE colony_tasks");
    }
  }

  @AfterAll
  void shutdown() {
    if (node != null) {
      ActorTestKit.shutdown(node.system());
    }
    notACluster.shutdownTestKit();
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void captureLog() {
    logged.start();
    root().addAppender(logged);
  }

  @AfterEach
  void stopCapturing() {
    root().detachAppender(logged);
    logged.list.clear();
  }

  private static ch.qos.logback.classic.Logger root() {
    return (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Test
  void exceptionsBecomeJson500WithoutInternals() {
    HttpResponse<String> response = HttpJson.get(base + "/boom");
    assertInternalErrorLoggedOnce(response);
    assertFalse(response.body().contains("secret internals"), response.body());
  }

  @Test
  void timeoutsBecomeJson503WithRetryAfter() {
    HttpResponse<String> response = HttpJson.get(base + "/slow");
    assertUnavailable(response);
    assertTrue(response.headers().firstValue(ErrorHandling.REQUEST_ID).isPresent(), "the request id, also on a time-out");
  }

  @Test
  void anAskTimeoutIs503WithRetryAfter() {
    assertUnavailable(HttpJson.get(base + "/ask-timeout"));
  }

  @Test
  void anAskTimeoutWrappedInACompletionExceptionIs503WithRetryAfter() {
    assertUnavailable(HttpJson.get(base + "/wrapped-ask-timeout"));
  }

  @Test
  void aRouteThatKnowsWhatHappenedSaysSoInIts503() {
    HttpResponse<String> response = HttpJson.get(base + "/route-knows");
    assertUnavailable(response);
    assertEquals("Nothing was stored; retry later.", json(response).get("message").asText());
  }

  @Test
  void aBugWhereATimeoutWasExpectedIsStill500() {
    HttpResponse<String> response = HttpJson.get(base + "/bug-where-timeouts-are-expected");
    assertInternalErrorLoggedOnce(response);
    assertFalse(response.body().contains("secret internals"), response.body());
  }

  @Test
  void aFailingShardPlacementIs500NotRetryLater() {
    assertInternalErrorLoggedOnce(HttpJson.get(base + "/shards"));
  }

  @Test
  void aFailingKeyListingIs500NotRetryLater() {
    assertInternalErrorLoggedOnce(HttpJson.get(nodeBase + "/v1/kv?limit=5"));
  }

  @Test
  void aFailingTaskListingIs500NotRetryLater() {
    assertInternalErrorLoggedOnce(HttpJson.get(nodeBase + "/v1/tasks?limit=5"));
  }

  @Test
  void aFailingEntityListingIs500NotRetryLater() {
    assertInternalErrorLoggedOnce(HttpJson.get(nodeBase + "/v1/entities/counter?limit=5"));
  }

  @Test
  void aSaneRequestIdIsEchoedAndQuotedIn500() {
    HttpResponse<String> response = getWithRequestId(base + "/boom", "client-7f3a.42");
    assertEquals("client-7f3a.42", response.headers().firstValue(ErrorHandling.REQUEST_ID).orElse(""));
    assertEquals("client-7f3a.42", json(response).get("requestId").asText());
  }

  @Test
  void aRequestIdThatCouldGarbleTheLogIsReplaced() {
    HttpResponse<String> response = getWithRequestId(base + "/boom", "x\" injected=1");
    String id = response.headers().firstValue(ErrorHandling.REQUEST_ID).orElse("");
    assertNotEquals("x\" injected=1", id);
    UUID.fromString(id);
    assertEquals(id, json(response).get("requestId").asText());
  }

  @Test
  void successesAndRejectionsCarryARequestIdToo() {
    HttpResponse<String> ok = getWithRequestId(nodeBase + "/alive", "probe-1");
    assertEquals(200, ok.statusCode());
    assertEquals("probe-1", ok.headers().firstValue(ErrorHandling.REQUEST_ID).orElse(""));
    HttpResponse<String> notFound = HttpJson.get(nodeBase + "/no/such/thing");
    assertEquals(404, notFound.statusCode());
    UUID.fromString(notFound.headers().firstValue(ErrorHandling.REQUEST_ID).orElse(""));
  }

  @Test
  void onlyTimeoutsAndAnUnreachableOrDamagedDatabaseAreWorthARetry() {
    assertTrue(ErrorHandling.isUnavailable(new AskTimeoutException("Ask timed out")));
    assertTrue(ErrorHandling.isUnavailable(new CompletionException(new java.util.concurrent.TimeoutException())));
    assertTrue(ErrorHandling.isUnavailable(new CircuitBreakerOpenException(
        scala.concurrent.duration.Duration.create(1, TimeUnit.SECONDS), "open")));
    assertTrue(ErrorHandling.isUnavailable(new CompletionException(
        new SQLTransientConnectionException("Connection is not available, request timed out after 3000ms."))));
    assertTrue(ErrorHandling.isUnavailable(new SQLNonTransientConnectionException("Connection is broken", "08006")));
    assertTrue(ErrorHandling.isUnavailable(new SQLException("File corrupted while reading record", "XX001")));

    assertFalse(ErrorHandling.isUnavailable(new CompletionException(
        new SQLSyntaxErrorException("Table \"colony_tasks\" not found", "42S02"))));
    assertFalse(ErrorHandling.isUnavailable(new IllegalStateException("Unexpected reply")));
    assertFalse(ErrorHandling.isUnavailable(new CompletionException(new ClassCastException())));
  }

  @Test
  void statusReasonsBecomeSnakeCaseCodes() {
    assertEquals("method_not_allowed", ErrorHandling.code(StatusCodes.METHOD_NOT_ALLOWED));
    assertEquals("content_too_large", ErrorHandling.code(StatusCodes.PAYLOAD_TOO_LARGE));
    assertEquals("not_found", ErrorHandling.code(StatusCodes.NOT_FOUND));
  }

  private static HttpResponse<String> getWithRequestId(String url, String requestId) {
    return HttpJson.send(HttpRequest.newBuilder(URI.create(url)).header(ErrorHandling.REQUEST_ID, requestId).GET());
  }

  private static void assertUnavailable(HttpResponse<String> response) {
    assertEquals(503, response.statusCode(), response.body());
    assertEquals("unavailable", json(response).get("error").asText());
    assertEquals("2", response.headers().firstValue("Retry-After").orElse(""));
  }

  /** 500 internal_error whose body quotes the request id of its header, and one log line (with the cause) names it. */
  private void assertInternalErrorLoggedOnce(HttpResponse<String> response) {
    assertEquals(500, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = json(response);
    assertEquals("internal_error", body.get("error").asText());
    String id = response.headers().firstValue(ErrorHandling.REQUEST_ID).orElseThrow();
    assertEquals(id, body.get("requestId").asText());
    assertTrue(body.get("message").asText().contains(id), body.toString());
    // Logged before the answer is sent, so it is in the list by now.
    List<ILoggingEvent> naming = logged.list.stream().filter(event -> event.getFormattedMessage().contains(id)).toList();
    assertEquals(1, naming.size(), naming.toString());
    assertEquals(ch.qos.logback.classic.Level.ERROR, naming.get(0).getLevel());
    assertNotNull(naming.get(0).getThrowableProxy(), "the cause is logged");
  }
}
