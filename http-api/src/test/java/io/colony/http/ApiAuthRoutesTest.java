package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.colony.http.ApiTokens.Role;
import io.colony.http.testing.InJvmNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route family of a real single-node cluster with a tokens file, called over real HTTP with
 * no token, a wrong token, and a read, write and admin token: 401 (with {@code WWW-Authenticate}),
 * 403, or the route's own answer (2xx or a 4xx that is neither 401 nor 403).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class ApiAuthRoutesTest {

  private static final String READ_TOKEN = "read-token-1f3a";
  private static final String WRITE_TOKEN = "write-token-77c2"; // stored as its digest
  private static final String ADMIN_TOKEN = "admin-token-9e05";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Who calls: no Authorization header, a token the node does not know, or one of the three roles. */
  enum Caller {
    NONE(null), WRONG("not-a-known-token"), READ(READ_TOKEN), WRITE(WRITE_TOKEN), ADMIN(ADMIN_TOKEN);

    final String token;

    Caller(String token) {
      this.token = token;
    }
  }

  /** One request of a route family and the role it needs; null means open to everyone. */
  record Call(String method, String path, String body, Role needs) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  private static final List<Call> CALLS = List.of(
      new Call("GET", "/alive", null, null),
      new Call("GET", "/ready", null, null),
      new Call("GET", "/cluster/members", null, Role.READ),
      new Call("GET", "/v1/cluster/shards", null, Role.READ),
      new Call("GET", "/v1/cluster/events", null, Role.READ),
      new Call("POST", "/v1/cluster/shards", "{}", Role.ADMIN),
      new Call("PUT", "/v1/kv/auth-key", "hello", Role.WRITE),
      new Call("GET", "/v1/kv/auth-key", null, Role.READ),
      new Call("HEAD", "/v1/kv/auth-key", null, Role.READ),
      new Call("GET", "/v1/kv", null, Role.READ),
      new Call("DELETE", "/v1/kv/auth-key", null, Role.WRITE),
      new Call("POST", "/v1/tasks", "{\"type\":\"sleep\",\"input\":{\"ms\":1}}", Role.WRITE),
      new Call("GET", "/v1/tasks/no-such-task", null, Role.READ),
      new Call("DELETE", "/v1/tasks/no-such-task", null, Role.WRITE),
      new Call("GET", "/v1/tasks", null, Role.READ),
      new Call("GET", "/v1/workers", null, Role.READ),
      new Call("POST", "/v1/entities/counter/auth", "{\"type\":\"increment\",\"by\":1}", Role.WRITE),
      new Call("GET", "/v1/entities/counter/auth", null, Role.READ),
      new Call("GET", "/v1/entities/counter", null, Role.READ),
      new Call("GET", "/v1/entities", null, Role.READ),
      new Call("GET", "/v1/no-such-route", null, Role.READ));

  private ColonyNode node;
  private String base;

  @BeforeAll
  void startNode(@TempDir Path dir) throws IOException {
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, String.join("\n",
        "# the API tokens of the test node",
        "read " + READ_TOKEN,
        "",
        "write sha256:" + HexFormat.of().formatHex(ApiTokens.sha256(WRITE_TOKEN)),
        "admin " + ADMIN_TOKEN));
    InJvmNode.Started started = InJvmNode.startReady(Map.of("COLONY_API_TOKENS_FILE", tokens.toString()), "");
    node = started.node();
    base = started.base();
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (Call call : CALLS) {
      for (Caller caller : Caller.values()) {
        cases.add(Arguments.of(call, caller));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("matrix")
  void everyRouteAnswersEachCallerByItsRole(Call call, Caller caller) throws Exception {
    Answer answer = send(call, caller);

    if (call.needs() == null) {
      assertEquals(200, answer.status(), answer.toString());
    } else if (caller == Caller.NONE || caller == Caller.WRONG) {
      assertEquals(401, answer.status(), answer.toString());
      assertTrue(answer.challenge().startsWith("Bearer realm=\"colony\""), answer.toString());
      assertError(answer, "unauthorized");
    } else if (!Role.valueOf(caller.name()).allows(call.needs())) {
      assertEquals(403, answer.status(), answer.toString());
      assertEquals("", answer.challenge(), answer.toString());
      assertError(answer, "forbidden");
    } else {
      assertTrue(answer.status() != 401 && answer.status() != 403 && answer.status() < 500, answer.toString());
    }
  }

  private static void assertError(Answer answer, String code) throws IOException {
    if (answer.method().equals("HEAD")) {
      return; // a HEAD answer has no body
    }
    JsonNode body = MAPPER.readTree(answer.body());
    assertEquals(code, body.get("error").asText(), answer.toString());
    assertFalse(body.get("message").asText().isBlank(), answer.toString());
  }

  record Answer(String method, int status, String challenge, String body) {}

  /** Sends one call; the body is read only when it is not an event stream (which never ends). */
  private Answer send(Call call, Caller caller) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + call.path()))
        .timeout(Duration.ofSeconds(10))
        .method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(call.body()));
    if (call.body() != null) {
      request.header("Content-Type", call.path().startsWith("/v1/kv") ? "text/plain" : "application/json");
    }
    if (caller.token != null) {
      request.header("Authorization", "Bearer " + caller.token);
    }
    HttpResponse<InputStream> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      boolean stream = response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
      String body = stream ? "(event stream)" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Answer(call.method(), response.statusCode(),
          response.headers().firstValue("WWW-Authenticate").orElse(""), body);
    }
  }
}
