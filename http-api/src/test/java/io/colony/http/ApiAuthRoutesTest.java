package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
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
 * Every route family of a real single-node cluster with a tokens file and an identity provider's
 * key set, called over real HTTP with no token, a wrong token, a read, write and admin token, and
 * JWTs (valid ones with each role, expired, signed by another key, for another audience, without
 * a role): 401 (with {@code WWW-Authenticate}), 403, or the route's own answer (2xx or a 4xx that
 * is neither 401 nor 403).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class ApiAuthRoutesTest {

  private static final String READ_TOKEN = "read-token-1f3a";
  private static final String WRITE_TOKEN = "write-token-77c2"; // stored as its digest
  private static final String ADMIN_TOKEN = "admin-token-9e05";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static final String ISSUER = "https://id.example.com";
  private static final String AUDIENCE = "colony";
  private static final RSAKey TRUSTED = JwtSigning.rsaKey("idp-key-1");
  private static final RSAKey UNTRUSTED = JwtSigning.rsaKey("idp-key-1"); // same key id, another key

  /**
   * Who calls: no Authorization header, a token the node does not know, one of the three API
   * tokens, or a JWT of the identity provider (or one the node must refuse); {@code role} is what
   * the node should grant, null for nothing.
   */
  enum Caller {
    NONE(null, null),
    WRONG("not-a-known-token", null),
    READ(READ_TOKEN, Role.READ),
    WRITE(WRITE_TOKEN, Role.WRITE),
    ADMIN(ADMIN_TOKEN, Role.ADMIN),
    JWT_READ(JwtSigning.jwt(TRUSTED, ISSUER, AUDIENCE, "read", Duration.ofMinutes(10)), Role.READ),
    JWT_READ_AND_WRITE(JwtSigning.jwt(TRUSTED, ISSUER, AUDIENCE, List.of("read", "write"), Duration.ofMinutes(10)),
        Role.WRITE),
    JWT_ADMIN(JwtSigning.jwt(TRUSTED, ISSUER, AUDIENCE, "admin", Duration.ofMinutes(10)), Role.ADMIN),
    JWT_EXPIRED(JwtSigning.jwt(TRUSTED, ISSUER, AUDIENCE, "admin", Duration.ofMinutes(-10)), null),
    JWT_UNTRUSTED_KEY(JwtSigning.jwt(UNTRUSTED, ISSUER, AUDIENCE, "admin", Duration.ofMinutes(10)), null),
    JWT_OTHER_AUDIENCE(JwtSigning.jwt(TRUSTED, ISSUER, "another-service", "admin", Duration.ofMinutes(10)), null),
    JWT_WITHOUT_ROLE(JwtSigning.jwt(TRUSTED, ISSUER, AUDIENCE, null, Duration.ofMinutes(10)), null);

    final String token;
    final Role role;

    Caller(String token, Role role) {
      this.token = token;
      this.role = role;
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
      new Call("GET", "/metrics", null, Role.READ), // colony.http.metrics-open is off by default
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
    Path keys = Files.writeString(dir.resolve("jwks.json"), new JWKSet(TRUSTED).toPublicJWKSet().toString());
    InJvmNode.Started started = InJvmNode.startReady(Map.of("COLONY_API_TOKENS_FILE", tokens.toString(),
        "COLONY_API_JWKS_FILE", keys.toString(), "COLONY_API_JWT_ISSUER", ISSUER, "COLONY_API_JWT_AUDIENCE", AUDIENCE), "");
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
    } else if (caller.role == null) {
      assertEquals(401, answer.status(), answer.toString());
      assertTrue(answer.challenge().startsWith("Bearer realm=\"colony\""), answer.toString());
      assertError(answer, "unauthorized");
    } else if (!caller.role.allows(call.needs())) {
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
