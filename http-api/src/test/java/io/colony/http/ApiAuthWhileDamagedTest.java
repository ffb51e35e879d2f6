package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.colony.http.metrics.NodeMetrics;
import io.colony.http.testing.InJvmNode;
import io.colony.persistence.JournalDatabase;
import io.colony.persistence.JournalHealth;
import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The routes of a node with a damaged journal ask for tokens too: they are composed with the same {@link ApiAuth}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class ApiAuthWhileDamagedTest {

  private ActorSystem<Void> system;
  private JournalHealth health;
  private String base;

  @BeforeAll
  void bindTheDamagedRoutes() throws Exception {
    int httpPort = FreePorts.next();
    Config config = InJvmNode.config(httpPort, FreePorts.next(), Map.of(), "");
    system = ActorSystem.create(Behaviors.empty(), "colony", config);
    health = JournalHealth.start(JournalDatabase.from(config, "target/damaged-auth"), Duration.ofMinutes(1),
        Duration.ofSeconds(5));
    ApiTokens tokens = ApiTokens.parse(List.of("read r-token"), "tokens");
    HttpServer.start(system, "127.0.0.1", httpPort, ApiRoutes.whileDamaged(system, health, tokens,
        system.systemActorOf(MembershipFeed.create(10, 1), "membership-feed", Props.empty()),
        NodeMetrics.start(system, health, List.of())))
        .toCompletableFuture().get();
    base = "http://127.0.0.1:" + httpPort;
  }

  @AfterAll
  void stop() {
    health.close();
    ActorTestKit.shutdown(system);
  }

  @Test
  void aRequestWithoutATokenGets401() {
    HttpResponse<String> answer = HttpJson.get(base + "/v1/kv/x");

    assertEquals(401, answer.statusCode(), answer.body());
    assertEquals("Bearer realm=\"colony\"", answer.headers().firstValue("WWW-Authenticate").orElse(""));
    assertEquals("unauthorized", HttpJson.json(answer).get("error").asText());
  }

  @Test
  void aRequestWithATokenGetsTheDamagedAnswer() {
    HttpResponse<String> answer = HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/x"))
        .header("Authorization", "Bearer r-token").GET());

    assertEquals(503, answer.statusCode(), answer.body());
  }

  @Test
  void metricsStillAnswerWithAToken() {
    HttpResponse<String> answer = HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
        .header("Authorization", "Bearer r-token").GET());

    assertEquals(200, answer.statusCode(), answer.body());
    assertEquals(NodeMetrics.CONTENT_TYPE, answer.headers().firstValue("Content-Type").orElse(""));
    assertTrue(answer.body().contains("\ncolony_cluster_members{status=\"up\"}"), answer.body());
  }

  @Test
  void aliveStaysOpen() {
    assertEquals(200, HttpJson.status(base + "/alive"));
  }
}
