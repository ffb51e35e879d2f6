package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Failures inside routes become JSON: 500 for exceptions, 503 + Retry-After for time-outs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorHandlingTest extends AllDirectives {

  private final ActorTestKit testKit = ActorTestKit.create();
  private String base;

  @BeforeAll
  void bind() throws Exception {
    JsonSupport json = new JsonSupport(testKit.system());
    ErrorHandling errors = new ErrorHandling(json, Duration.ofSeconds(2));
    Route routes = concat(
        path("boom", () -> get(() -> {
          throw new IllegalStateException("secret internals");
        })),
        path("slow", () -> withRequestTimeout(Duration.ofMillis(300),
            () -> onSuccess(new CompletableFuture<String>(), this::complete))));
    int port = FreePorts.next();
    Http.get(testKit.system()).newServerAt("127.0.0.1", port).bind(errors.handle(routes))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + port;
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void exceptionsBecomeJson500WithoutInternals() {
    HttpResponse<String> response = HttpJson.get(base + "/boom");
    assertEquals(500, response.statusCode());
    assertEquals("internal_error", json(response).get("error").asText());
    assertFalse(response.body().contains("secret internals"), response.body());
  }

  @Test
  void timeoutsBecomeJson503WithRetryAfter() {
    HttpResponse<String> response = HttpJson.get(base + "/slow");
    assertEquals(503, response.statusCode());
    assertEquals("unavailable", json(response).get("error").asText());
    assertEquals("2", response.headers().firstValue("Retry-After").orElse(""));
  }

  @Test
  void statusReasonsBecomeSnakeCaseCodes() {
    assertEquals("method_not_allowed", ErrorHandling.code(StatusCodes.METHOD_NOT_ALLOWED));
    assertEquals("content_too_large", ErrorHandling.code(StatusCodes.PAYLOAD_TOO_LARGE));
    assertEquals("not_found", ErrorHandling.code(StatusCodes.NOT_FOUND));
  }
}
