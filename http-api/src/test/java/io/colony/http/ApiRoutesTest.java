package io.colony.http;

import static io.colony.testkit.HttpJson.get;
import static io.colony.testkit.HttpJson.json;
import static io.colony.testkit.HttpJson.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.http.testing.InJvmNode;
import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** The HTTP API of one real single-node cluster, called over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class ApiRoutesTest {

  private ColonyNode node;
  private String base;
  private int remotePort;

  @BeforeAll
  void startNode() {
    int httpPort = FreePorts.next();
    remotePort = FreePorts.next();
    node = ColonyNode.start(InJvmNode.config(httpPort, remotePort, Map.of(), ""));
    base = "http://127.0.0.1:" + httpPort;
    await().atMost(Duration.ofSeconds(20)).until(() -> HttpJson.status(base + "/ready") == 200);
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  @Test
  void membersUsePekkoManagementFormat() {
    JsonNode members = HttpJson.getJson(base + "/cluster/members");
    String self = "pekko://colony@127.0.0.1:" + remotePort;

    assertEquals(self, members.get("selfNode").asText());
    assertEquals(self, members.get("leader").asText());
    assertEquals(self, members.get("oldest").asText());
    assertEquals(1, members.get("members").size());
    JsonNode member = members.get("members").get(0);
    assertEquals(self, member.get("node").asText());
    assertEquals("Up", member.get("status").asText());
    assertTrue(member.get("roles").isArray());
    assertEquals(0, members.get("unreachable").size());
  }

  @Test
  void readyAndAliveWhenUp() {
    HttpResponse<String> ready = get(base + "/ready");
    assertEquals(200, ready.statusCode());
    assertEquals("Up", json(ready).get("memberStatus").asText());
    assertEquals(200, get(base + "/alive").statusCode());
  }

  @Test
  void unknownPathIsJson404() {
    HttpResponse<String> response = get(base + "/no/such/thing");
    assertEquals(404, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    assertEquals("not_found", json(response).get("error").asText());
    assertTrue(json(response).get("message").asText().length() > 0);
  }

  @Test
  void unknownPathIsJson404WhateverTheMethod() {
    HttpResponse<String> response = send("POST", base + "/no/such/thing");
    assertEquals(404, response.statusCode());
    assertEquals("not_found", json(response).get("error").asText());
  }

  @Test
  void wrongMethodIsJson405() {
    HttpResponse<String> ready = send("POST", base + "/ready");
    assertEquals(405, ready.statusCode());
    assertEquals("method_not_allowed", json(ready).get("error").asText());

    HttpResponse<String> response = send("DELETE", base + "/cluster/members");
    assertEquals(405, response.statusCode());
    assertEquals("method_not_allowed", json(response).get("error").asText());
  }

  @Test
  void eventsStreamStartsWithASnapshotOfTheMembers() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/v1/cluster/events")).build();
    HttpResponse<java.io.InputStream> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("Content-Type").orElse(""));

    List<String> lines = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null && !(line.isEmpty() && !lines.isEmpty())) {
        lines.add(line);
      }
    }
    assertTrue(lines.contains("event:snapshot"), lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.matches("id:[0-9]+")), "the snapshot has an id: " + lines);
    String data = lines.stream().filter(l -> l.startsWith("data:")).findFirst().orElseThrow();
    JsonNode snapshot = new com.fasterxml.jackson.databind.ObjectMapper().readTree(data.substring(5));
    assertEquals("Up", snapshot.get("members").get(0).get("status").asText());
  }
}
