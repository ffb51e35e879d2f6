package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.http.testing.InJvmNode;
import io.colony.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /v1/entities} of a real single-node cluster (sharding, in-memory H2 journal) over real
 * HTTP, with the sample entity types and the test-only types (SilentEntityType,
 * WakefulEntityType) on the classpath.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class EntityRoutesTest {

  private ColonyNode node;
  private String base;

  @BeforeAll
  void startNode() {
    // the task module requires its enqueue timeout below the ask timeout; Artery's default frame
    // (Colony's is 1152 KiB, for KV values) lets a 64 KiB command be too large once serialized
    InJvmNode.Started started = InJvmNode.startReady("colony.http.ask-timeout = 2s\ncolony.tasks.enqueue-timeout = 1500ms\n"
        + "pekko.remote.artery.advanced.maximum-frame-size = 256 KiB");
    node = started.node();
    base = started.base();
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  private HttpResponse<String> post(String path, String body) {
    return HttpJson.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> get(String path) {
    return HttpJson.get(base + path);
  }

  private static void assertError(HttpResponse<String> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    assertEquals(code, json(response).get("error").asText(), response.body());
    assertTrue(json(response).get("message").asText().length() > 5, response.body());
  }

  @Test
  void listsTheRegisteredTypesAndTheirCommands() {
    HttpResponse<String> response = get("/v1/entities");
    assertEquals(200, response.statusCode());
    List<String> listed = new ArrayList<>();
    for (JsonNode type : json(response).get("entityTypes")) {
      listed.add(type.get("name").asText() + ":" + type.get("commands").toString());
    }
    assertEquals(List.of(
        "account:[\"deposit\",\"open\",\"withdraw\"]",
        "cart:[\"add\",\"checkout\",\"remove\"]",
        "counter:[\"increment\"]",
        "forgetful:[\"wake\"]",
        "silent:[\"ignore\",\"samples\"]",
        "transfer:[\"start\"]",
        "wakeful:[\"wake\"]"), listed);
  }

  @Test
  void aCommandIsAnsweredWithTheEntitysJsonReplyAndGetShowsTheState() {
    HttpResponse<String> first = post("/v1/entities/counter/visits", "{\"type\":\"increment\",\"by\":5}");
    assertEquals(200, first.statusCode(), first.body());
    assertEquals("{\"value\":5}", first.body());
    assertEquals("{\"value\":7}", post("/v1/entities/counter/visits", "{\"by\":2,\"type\":\"increment\"}").body());
    HttpResponse<String> state = get("/v1/entities/counter/visits");
    assertEquals(200, state.statusCode());
    assertEquals("{\"value\":7}", state.body());
    assertEquals("{\"value\":0}", get("/v1/entities/counter/untouched").body());
  }

  @Test
  void aCartOverHttp() {
    String cart = "/v1/entities/cart/c-1";
    post(cart, "{\"type\":\"add\",\"item\":\"apple\",\"quantity\":2}");
    post(cart, "{\"type\":\"add\",\"item\":\"pear\",\"quantity\":1}");
    post(cart, "{\"type\":\"remove\",\"item\":\"pear\"}");
    HttpResponse<String> checkout = post(cart, "{\"type\":\"checkout\"}");
    assertEquals(200, checkout.statusCode(), checkout.body());
    assertEquals("{\"items\":{\"apple\":2},\"checkedOut\":true}", checkout.body());
    assertEquals("{\"items\":{\"apple\":2},\"checkedOut\":true}", get(cart).body());
  }

  @Test
  void aCommandTheEntityDoesNotHandleInItsStateIs400AndChangesNothing() {
    String cart = "/v1/entities/cart/c-2";
    post(cart, "{\"type\":\"add\",\"item\":\"apple\",\"quantity\":2}");
    post(cart, "{\"type\":\"checkout\"}");
    HttpResponse<String> late = post(cart, "{\"type\":\"add\",\"item\":\"plum\",\"quantity\":1}");
    assertError(late, 400, "unsupported_command");
    assertEquals("'cart' entities in state CheckedOutCart do not handle AddItem", json(late).get("message").asText());
    assertEquals("{\"items\":{\"apple\":2},\"checkedOut\":true}", get(cart).body());
  }

  @Test
  void aRefusalIs422WithTheEntitysReason() {
    HttpResponse<String> response = post("/v1/entities/counter/refused", "{\"type\":\"increment\",\"by\":0}");
    assertError(response, 422, "rejected");
    assertEquals("by must be at least 1, not 0", json(response).get("message").asText());

    post("/v1/entities/account/poor", "{\"type\":\"open\"}");
    HttpResponse<String> overdraft = post("/v1/entities/account/poor", "{\"type\":\"withdraw\",\"amount\":10}");
    assertError(overdraft, 422, "rejected");
    assertEquals("insufficient funds: the balance is 0, the withdrawal 10", json(overdraft).get("message").asText());
  }

  @Test
  void anUnknownTypeIs404() {
    assertError(post("/v1/entities/nope/1", "{\"type\":\"increment\",\"by\":1}"), 404, "unknown_entity_type");
    assertError(get("/v1/entities/nope/1"), 404, "unknown_entity_type");
  }

  @Test
  void malformedJsonIs400() {
    assertError(post("/v1/entities/counter/x", "{\"type\":\"increment\",\"by\":"), 400, "invalid_json");
    assertError(post("/v1/entities/counter/x", "not json"), 400, "invalid_json");
    assertError(post("/v1/entities/counter/x", ""), 400, "invalid_json");
    assertError(post("/v1/entities/counter/x", "{\"type\":\"increment\",\"by\":1} trailing"), 400, "invalid_json");
  }

  @Test
  void anUnknownOrMissingCommandTypeIs400() {
    HttpResponse<String> unknown = post("/v1/entities/counter/x", "{\"type\":\"decrement\",\"by\":1}");
    assertError(unknown, 400, "unknown_command");
    assertEquals("Unknown command type 'decrement'; 'counter' understands [increment].", json(unknown).get("message").asText());
    assertError(post("/v1/entities/counter/x", "{\"by\":1}"), 400, "unknown_command");
    // the saga's messages to itself are not commands clients may send
    assertError(post("/v1/entities/transfer/x", "{\"type\":\"StepSucceeded\",\"step\":\"DEPOSIT\"}"), 400, "unknown_command");
  }

  @Test
  void aCommandWithWrongFieldsIs400() {
    HttpResponse<String> misspelt = post("/v1/entities/counter/x", "{\"type\":\"increment\",\"by\":1,\"bye\":1}");
    assertError(misspelt, 400, "invalid_command");
    assertEquals("Unknown field 'bye' in the command.", json(misspelt).get("message").asText());
    for (String by : List.of("\"many\"", "1.5", "null")) {
      HttpResponse<String> wrong = post("/v1/entities/counter/x", "{\"type\":\"increment\",\"by\":" + by + "}");
      assertError(wrong, 400, "invalid_command");
      assertEquals("Field 'by' must be a whole number.", json(wrong).get("message").asText(), by);
    }
    assertError(post("/v1/entities/counter/x", "{\"type\":\"increment\"}"), 400, "invalid_command");
    assertError(post("/v1/entities/counter/x", "null"), 400, "invalid_command");
    HttpResponse<String> number = post("/v1/entities/counter/x", "42");
    assertError(number, 400, "unknown_command");
    assertEquals("The command has no \"type\" field; 'counter' understands [increment].", json(number).get("message").asText());
    assertEquals("{\"value\":0}", get("/v1/entities/counter/x").body(), "nothing reached the entity");
  }

  @Test
  void anOverlongIdIs400() {
    assertError(get("/v1/entities/counter/" + "i".repeat(201)), 400, "invalid_id");
    assertEquals(200, get("/v1/entities/counter/" + "i".repeat(200)).statusCode());
  }

  @Test
  void idsThatAreNotUtf8AreRefusedNotAliased() {
    for (String raw : List.of("%FF", "%FE", "a%C0%AFb", "%ED%A0%80")) {
      HttpResponse<String> response = post("/v1/entities/counter/" + raw, "{\"type\":\"increment\",\"by\":1}");
      assertError(response, 400, "invalid_encoding");
      assertTrue(json(response).get("message").asText().contains("not valid UTF-8"), response.body());
      assertError(get("/v1/entities/counter/" + raw), 400, "invalid_encoding");
    }
    assertEquals("{\"value\":0}", get("/v1/entities/counter/%EF%BF%BD").body(), "nothing reached U+FFFD's entity");
  }

  @Test
  void idsWithNulOrThePersistenceIdSeparatorAre400() {
    assertError(post("/v1/entities/counter/a%00b", "{\"type\":\"increment\",\"by\":1}"), 400, "invalid_encoding");
    assertError(get("/v1/entities/counter/%00"), 400, "invalid_encoding");
    // '|' separates type and id in the persistence id: without the check the entity fails to start and the ask times out
    HttpResponse<String> separator = post("/v1/entities/counter/a%7Cb", "{\"type\":\"increment\",\"by\":1}");
    assertError(separator, 400, "invalid_id");
    assertTrue(json(separator).get("message").asText().contains("'|'"), separator.body());
    assertError(get("/v1/entities/counter/a%7Cb"), 400, "invalid_id");
  }

  @Test
  void aPercentEncodedMultibyteIdWorks() {
    String id = "z%C3%BCrich-%E2%82%AC-%F0%9F%90%9D"; // zürich-€-🐝
    HttpResponse<String> first = post("/v1/entities/counter/" + id, "{\"type\":\"increment\",\"by\":3}");
    assertEquals(200, first.statusCode(), first.body());
    assertEquals("{\"value\":3}", get("/v1/entities/counter/" + id).body());
    assertEquals("{\"value\":3}", HttpJson.get(base + "/v1/entities/counter/"
        + java.net.URLEncoder.encode("zürich-€-🐝", java.nio.charset.StandardCharsets.UTF_8)).body());
  }

  @Test
  void aCommandBodyOverTheCapIs413AndReachesNoEntity() {
    String command = "{\"type\":\"increment\",\"by\":1}";
    // colony.http.max-command-bytes is 64 KiB; JSON may carry that much whitespace
    assertEquals(200, post("/v1/entities/counter/capped", command + " ".repeat(64 * 1024 - command.length())).statusCode());
    HttpResponse<String> declared = post("/v1/entities/counter/capped", command + " ".repeat(64 * 1024 - command.length() + 1));
    assertError(declared, 413, "content_too_large");
    assertTrue(json(declared).get("message").asText().contains("65536 bytes"), declared.body());

    byte[] chunkedBody = (command + " ".repeat(100_000)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpResponse<String> chunked = HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/v1/entities/counter/capped"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(chunkedBody))));
    assertError(chunked, 413, "content_too_large");
    assertEquals("{\"value\":1}", get("/v1/entities/counter/capped").body(), "only the command within the cap arrived");
  }

  @Test
  void aCommandTooLargeForOneArteryFrameOnceSerializedIs413BeforeItIsSent() {
    // 30,000 samples: 60 KB of JSON (under the 64 KiB cap), 270 KB of CBOR (over this node's 256 KiB frame)
    String samples = "{\"type\":\"samples\",\"values\":[" + "1,".repeat(29_999) + "1]}";
    HttpResponse<String> response = post("/v1/entities/silent/frame", samples);
    // the silent entity never answers: a 503 would mean the command was sent
    assertError(response, 413, "content_too_large");
    assertTrue(json(response).get("message").asText().contains("once serialized"), response.body());
    assertError(post("/v1/entities/silent/frame", "{\"type\":\"samples\",\"values\":[1,2,3]}"), 503, "unavailable");
  }

  @Test
  void otherMethodsAre405() {
    assertError(HttpJson.send("PUT", base + "/v1/entities/counter/x"), 405, "method_not_allowed");
    assertError(HttpJson.send("DELETE", base + "/v1/entities/counter/x"), 405, "method_not_allowed");
  }

  @Test
  void anEntityThatDoesNotAnswerInTimeIs503WithRetryAfter() {
    HttpResponse<String> response = post("/v1/entities/silent/s", "{\"type\":\"ignore\"}");
    assertError(response, 503, "unavailable");
    assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow(), "colony.http.retry-after");
  }

  @Test
  void aTransferMovesMoneyBetweenAccountsThroughSharding() {
    for (String account : List.of("alice", "bob")) {
      assertEquals(200, post("/v1/entities/account/" + account, "{\"type\":\"open\"}").statusCode());
    }
    HttpResponse<String> deposit = post("/v1/entities/account/alice", "{\"type\":\"deposit\",\"amount\":100,\"operationId\":\"d1\"}");
    assertEquals("{\"balance\":100,\"open\":true}", deposit.body());
    assertEquals(deposit.body(), post("/v1/entities/account/alice",
        "{\"type\":\"deposit\",\"amount\":100,\"operationId\":\"d1\"}").body(), "a repeated operation id changes nothing");

    String start = "{\"type\":\"start\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":30}";
    HttpResponse<String> started = post("/v1/entities/transfer/t-1", start);
    assertEquals(200, started.statusCode(), started.body());
    assertEquals("t-1", json(started).get("id").asText());
    await().atMost(Duration.ofSeconds(15)).until(() -> "COMPLETED".equals(json(get("/v1/entities/transfer/t-1")).get("status").asText()));
    assertEquals("COMPLETED", json(post("/v1/entities/transfer/t-1", start)).get("status").asText(), "start is idempotent");
    assertEquals(70, json(get("/v1/entities/account/alice")).get("balance").asLong());
    assertEquals(30, json(get("/v1/entities/account/bob")).get("balance").asLong());
    assertError(post("/v1/entities/transfer/t-1", "{\"type\":\"start\",\"from\":\"alice\",\"to\":\"bob\",\"amount\":31}"),
        422, "rejected");
  }

  @Test
  void aTransferToAnAccountThatIsNotOpenIsRefunded() {
    post("/v1/entities/account/carol", "{\"type\":\"open\"}");
    post("/v1/entities/account/carol", "{\"type\":\"deposit\",\"amount\":50}");
    post("/v1/entities/transfer/t-ghost", "{\"type\":\"start\",\"from\":\"carol\",\"to\":\"nobody\",\"amount\":20}");
    await().atMost(Duration.ofSeconds(15)).until(() -> "FAILED".equals(json(get("/v1/entities/transfer/t-ghost")).get("status").asText()));
    assertEquals("deposit refused: account is not open; refunded", json(get("/v1/entities/transfer/t-ghost")).get("reason").asText());
    assertEquals(50, json(get("/v1/entities/account/carol")).get("balance").asLong());
  }

  @Test
  void aTransferThatWasNeverStartedIs404() {
    assertError(get("/v1/entities/transfer/never"), 404, "not_found");
  }

  @Test
  void shardPlacementIncludesTheUserTypes() {
    post("/v1/entities/counter/placed", "{\"type\":\"increment\",\"by\":1}");
    JsonNode types = HttpJson.getJson(base + "/v1/cluster/shards").get("entityTypes");
    List<String> names = new ArrayList<>();
    types.forEach(t -> names.add(t.get("name").asText()));
    assertEquals(List.of("kv", "task", "account", "cart", "counter", "forgetful", "silent", "transfer", "wakeful"), names);
    JsonNode counter = types.get(names.indexOf("counter"));
    assertTrue(counter.get("nodes").get(0).get("entities").asInt() >= 1, counter.toString());
  }
}
