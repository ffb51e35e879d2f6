package io.colony.http.metrics;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.http.ColonyNode;
import io.colony.http.testing.InJvmNode;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /metrics} of a real single-node cluster after known traffic: exact counts under
 * route templates, no raw key anywhere, every line in the Prometheus text format.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class MetricsRoutesTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static final int PUTS = 3;
  private static final int GETS = 2;
  private static final Pattern METRIC_NAME = Pattern.compile("\\b(?:colony|jvm|process|system)_[a-z0-9_]+");

  private ColonyNode node;
  private String base;

  @BeforeAll
  void startNode() {
    InJvmNode.Started started = InJvmNode.startReady("");
    node = started.node();
    base = started.base();
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  @Test
  void countsKnownKvTrafficUnderTheKeyTemplateWithoutTheKeys() {
    List<String> keys = new ArrayList<>();
    Map<String, Integer> byMethodAndStatus = new HashMap<>();
    for (int i = 0; i < PUTS; i++) {
      String key = "metrics-secret-" + UUID.randomUUID();
      keys.add(key);
      tally(byMethodAndStatus, "PUT", send("PUT", "/v1/kv/" + key, "value " + i));
    }
    for (int i = 0; i < GETS; i++) {
      tally(byMethodAndStatus, "GET", send("GET", "/v1/kv/" + keys.get(i), null));
    }
    String missing = "metrics-missing-" + UUID.randomUUID();
    keys.add(missing);
    HttpResponse<String> notFound = send("GET", "/v1/kv/" + missing, null);
    assertEquals(404, notFound.statusCode(), notFound.body());
    tally(byMethodAndStatus, "GET", notFound);

    String text = scrape().body();
    List<PrometheusText.Sample> samples = PrometheusText.parse(text);

    assertEquals(Map.of("PUT 200", PUTS, "GET 200", GETS, "GET 404", 1), byMethodAndStatus);
    for (var expected : byMethodAndStatus.entrySet()) {
      String[] methodStatus = expected.getKey().split(" ");
      assertEquals((double) expected.getValue(), value(samples, "colony_http_requests_total",
          Map.of("route", "/v1/kv/{key}", "method", methodStatus[0], "status", methodStatus[1])), expected.getKey());
    }
    assertEquals(PUTS, value(samples, "colony_http_request_seconds_count", Map.of("route", "/v1/kv/{key}", "method", "PUT")));
    assertEquals(GETS + 1, value(samples, "colony_http_request_seconds_count",
        Map.of("route", "/v1/kv/{key}", "method", "GET")));
    assertEquals(PUTS, value(samples, "colony_http_request_seconds_bucket",
        Map.of("route", "/v1/kv/{key}", "method", "PUT", "le", "+Inf")));
    for (String key : keys) {
      assertFalse(text.contains(key), "the output holds the raw key " + key);
    }
    for (PrometheusText.Sample sample : samples) {
      if (sample.name().startsWith("colony_http_")) {
        String route = sample.labels().get("route");
        assertTrue(route == null || route.equals("other") || route.startsWith("/"), sample.toString());
      }
    }
  }

  @Test
  void servesTheTextFormatContentTypeAndSeesItsOwnRequestInFlight() {
    HttpResponse<String> response = scrape();

    assertEquals(200, response.statusCode());
    assertEquals(List.of("text/plain; version=0.0.4; charset=utf-8"), response.headers().allValues("Content-Type"));
    List<PrometheusText.Sample> samples = PrometheusText.parse(response.body());
    assertEquals(1, value(samples, "colony_http_requests_in_flight", Map.of()));
  }

  @Test
  void showsThisSingleNodeAsTheUpLeaderAndOldestMember() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(scrape().body());

    assertEquals(1, value(samples, "colony_cluster_members", Map.of("status", "up")));
    assertEquals(0, value(samples, "colony_cluster_members", Map.of("status", "joining")));
    assertEquals(0, value(samples, "colony_cluster_unreachable_members", Map.of()));
    assertEquals(1, value(samples, "colony_cluster_leader", Map.of()));
    assertEquals(1, value(samples, "colony_cluster_oldest", Map.of()));
    assertTrue(value(samples, "colony_cluster_membership_age_seconds", Map.of()) >= 0);
  }

  @Test
  void showsAnUsableJournalAndHowLongItsCheckTook() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(scrape().body());

    assertEquals(1, value(samples, "colony_journal_condition", Map.of("condition", "ok")));
    assertEquals(0, value(samples, "colony_journal_condition", Map.of("condition", "unreachable")));
    assertEquals(0, value(samples, "colony_journal_condition", Map.of("condition", "damaged")));
    assertTrue(value(samples, "colony_journal_check_seconds", Map.of()) > 0);
  }

  @Test
  void showsTheWorkerPoolAndTheAttemptItRan() {
    HttpResponse<String> submitted = send("POST", "/v1/tasks", "{\"type\":\"sleep\",\"input\":{\"ms\":1}}");
    assertEquals(202, submitted.statusCode(), submitted.body());

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      List<PrometheusText.Sample> samples = PrometheusText.parse(scrape().body());
      assertEquals(1, value(samples, "colony_task_attempts_total", Map.of("outcome", "succeeded")));
      assertEquals(0, value(samples, "colony_task_attempts_total", Map.of("outcome", "failed")));
      assertEquals(4, value(samples, "colony_task_worker_slots", Map.of("state", "busy"))
          + value(samples, "colony_task_worker_slots", Map.of("state", "free")));
      assertEquals(1, value(samples, "colony_http_requests_total",
          Map.of("route", "/v1/tasks", "method", "POST", "status", "202")));
    });
  }

  @Test
  void countsTheShardsAndEntitiesThisNodeHostsPerType() {
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> counted = send("POST", "/v1/entities/counter/metrics-counter-" + i,
          "{\"type\":\"increment\",\"by\":1}");
      assertEquals(200, counted.statusCode(), counted.body());
    }

    List<PrometheusText.Sample> samples = PrometheusText.parse(scrape().body());

    assertEquals(2, value(samples, "colony_sharding_entities", Map.of("type", "counter")));
    double shards = value(samples, "colony_sharding_shards", Map.of("type", "counter"));
    assertTrue(shards >= 1 && shards <= 2, "shards: " + shards);
    assertTrue(samples.stream().anyMatch(sample -> sample.name().equals("colony_sharding_shards")
        && !sample.labels().get("type").equals("counter")), "the built-in types are listed too");
  }

  @Test
  void includesTheJvmAndProcessMetricsOfMicrometersBinders() {
    List<PrometheusText.Sample> samples = PrometheusText.parse(scrape().body());

    for (String name : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_gc_memory_allocated_bytes_total",
        "process_cpu_usage", "system_cpu_count", "process_files_open_files", "process_uptime_seconds")) {
      assertTrue(samples.stream().anyMatch(sample -> sample.name().equals(name)), name);
    }
  }

  @Test
  void theGrafanaDashboardQueriesOnlyMetricsThisNodeServes() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(Path.of("../conf/grafana/colony.json").toFile());
    Set<String> queried = new TreeSet<>();
    for (JsonNode expr : dashboard.findValues("expr")) {
      Matcher name = METRIC_NAME.matcher(expr.asText());
      while (name.find()) {
        queried.add(name.group());
      }
    }
    assertTrue(queried.size() > 15, queried.toString());
    System.gc(); // GC pause timers appear with the first collection the JVM reports

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Set<String> served = new TreeSet<>();
      PrometheusText.parse(scrape().body()).forEach(sample -> served.add(sample.name()));
      Set<String> unknown = new TreeSet<>(queried);
      unknown.removeAll(served);
      assertEquals(Set.of(), unknown, "queried by conf/grafana/colony.json but not served");
    });
  }

  /** The one sample of a family with exactly these labels. */
  private static double value(List<PrometheusText.Sample> samples, String name, Map<String, String> labels) {
    List<PrometheusText.Sample> found = samples.stream()
        .filter(sample -> sample.name().equals(name) && sample.labels().equals(labels))
        .toList();
    assertEquals(1, found.size(), name + labels + " in " + samples.stream().filter(s -> s.name().equals(name)).toList());
    return found.get(0).value();
  }

  private static void tally(Map<String, Integer> counts, String method, HttpResponse<String> response) {
    counts.merge(method + " " + response.statusCode(), 1, Integer::sum);
  }

  private HttpResponse<String> scrape() {
    return send("GET", "/metrics", null);
  }

  private HttpResponse<String> send(String method, String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", path.startsWith("/v1/kv") ? "text/plain" : "application/json");
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
