package io.colony.http.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Raw paths to the bounded {@code route} label: placeholders for what a client chooses, {@code other} for the rest. */
class RouteTemplateTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "/alive, /alive",
      "/ready, /ready",
      "/metrics, /metrics",
      "/cluster/members, /cluster/members",
      "/cluster/members/pekko://Colony@10.0.0.1:17355, /cluster/members/{address}",
      "/cluster/members/10.0.0.1:17355, /cluster/members/{address}",
      "/cluster/shards/kv, /cluster/shards/{name}",
      "/v1/cluster/events, /v1/cluster/events",
      "/v1/cluster/shards, /v1/cluster/shards",
      "/v1/kv, /v1/kv",
      "/v1/kv/, /v1/kv/{key}",
      "/v1/kv/anything, /v1/kv/{key}",
      "/v1/kv/a/b/c, /v1/kv/{key}",
      "/v1/tasks, /v1/tasks",
      "/v1/tasks/, /v1/tasks",
      "/v1/tasks/x, /v1/tasks/{id}",
      "/v1/tasks/x/y, other",
      "/v1/workers, /v1/workers",
      "/v1/entities, /v1/entities",
      "/v1/entities/t, /v1/entities/{type}",
      "/v1/entities/t/i, /v1/entities/{type}/{id}",
      "/v1/entities/t/i/j, other",
      "/v1/entities//i, other",
      "/v1/no-such-route, other",
      "/, other",
      "'', other",
      "/secret-key-in-an-unknown-path, other",
  })
  void mapsAPathToItsTemplate(String path, String template) {
    assertEquals(template, RouteTemplate.of(path));
  }
}
