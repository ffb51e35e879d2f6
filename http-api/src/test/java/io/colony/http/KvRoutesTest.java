package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.http.testing.InJvmNode;
import io.colony.testkit.HttpJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code /v1/kv} of a real single-node cluster on a real (in-memory H2) journal, over real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class KvRoutesTest {

  private static final HttpClient CLIENT = HttpClient.newHttpClient();
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

  private String url(String key) {
    return base + "/v1/kv/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private HttpResponse<byte[]> put(String key, byte[] value, String contentType, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(key)))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(value)).header("Content-Type", contentType);
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request);
  }

  private HttpResponse<byte[]> get(String key) {
    return send(HttpRequest.newBuilder(URI.create(url(key))).GET());
  }

  private HttpResponse<byte[]> delete(String key, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(key))).DELETE();
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(request);
  }

  private static JsonNode body(HttpResponse<byte[]> response) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + new String(response.body(), StandardCharsets.UTF_8), e);
    }
  }

  private static String etag(HttpResponse<?> response) {
    return response.headers().firstValue("ETag").orElseThrow();
  }

  @Test
  void putThenGetReturnsTheExactBytesContentTypeAndETag() {
    byte[] value = new byte[4096];
    new Random(7).nextBytes(value);
    HttpResponse<byte[]> put = put("binary", value, "application/x-colony-test");
    assertEquals(200, put.statusCode());
    assertEquals("binary", body(put).get("key").asText());
    long version = body(put).get("version").asLong();
    assertEquals("\"" + version + "\"", etag(put));

    HttpResponse<byte[]> get = get("binary");
    assertEquals(200, get.statusCode());
    assertArrayEquals(value, get.body());
    assertEquals("application/x-colony-test", get.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(etag(put), etag(get));
  }

  @Test
  void unicodeKeysAndTextValuesRoundTrip() {
    byte[] value = "grüße, 世界".getBytes(StandardCharsets.UTF_8);
    assertEquals(200, put("schlüssel/mit slash", value, "text/plain; charset=UTF-8").statusCode());
    HttpResponse<byte[]> get = get("schlüssel/mit slash");
    assertArrayEquals(value, get.body());
    assertTrue(get.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
  }

  @Test
  void absentKeyIs404Json() {
    HttpResponse<byte[]> response = get("never-written");
    assertEquals(404, response.statusCode());
    assertEquals("not_found", body(response).get("error").asText());
  }

  @Test
  void ifMatchIsCompareAndSetAndAFailureChangesNothing() {
    HttpResponse<byte[]> first = put("cas", "1".getBytes(), "text/plain");
    HttpResponse<byte[]> stale = put("cas", "X".getBytes(), "text/plain", "If-Match", "\"999\"");
    assertEquals(412, stale.statusCode());
    assertEquals("precondition_failed", body(stale).get("error").asText());
    assertEquals(etag(first), etag(stale), "412 tells the current version");
    assertArrayEquals("1".getBytes(), get("cas").body());

    HttpResponse<byte[]> next = put("cas", "2".getBytes(), "text/plain", "If-Match", etag(first));
    assertEquals(200, next.statusCode());
    assertArrayEquals("2".getBytes(), get("cas").body());
  }

  @Test
  void ifNoneMatchStarIsCreateOnly() {
    assertEquals(200, put("create-only", "a".getBytes(), "text/plain", "If-None-Match", "*").statusCode());
    HttpResponse<byte[]> again = put("create-only", "b".getBytes(), "text/plain", "If-None-Match", "*");
    assertEquals(412, again.statusCode());
    assertArrayEquals("a".getBytes(), get("create-only").body());
  }

  @Test
  void ifMatchStarNeedsAnExistingKey() {
    assertEquals(412, put("must-exist", "a".getBytes(), "text/plain", "If-Match", "*").statusCode());
    assertEquals(404, get("must-exist").statusCode());
  }

  @Test
  void malformedPreconditionsAre400AndChangeNothing() {
    put("guarded", "a".getBytes(), "text/plain");
    HttpResponse<byte[]> weak = put("guarded", "b".getBytes(), "text/plain", "If-Match", "W/\"1\"");
    assertEquals(400, weak.statusCode());
    assertEquals("invalid_precondition", body(weak).get("error").asText());
    HttpResponse<byte[]> both = put("guarded", "b".getBytes(), "text/plain", "If-Match", "\"1\"", "If-None-Match", "*");
    assertEquals(400, both.statusCode());
    assertArrayEquals("a".getBytes(), get("guarded").body());
  }

  @Test
  void deleteIs204IdempotentAndHonoursIfMatch() {
    HttpResponse<byte[]> written = put("doomed", "a".getBytes(), "text/plain");
    assertEquals(412, delete("doomed", "If-Match", "\"12345\"").statusCode());
    assertEquals(200, get("doomed").statusCode());

    assertEquals(204, delete("doomed", "If-Match", etag(written)).statusCode());
    assertEquals(404, get("doomed").statusCode());
    assertEquals(204, delete("doomed").statusCode(), "deleting again is fine");
    assertEquals(204, delete("never-existed").statusCode());
  }

  @Test
  void invalidKeysAre400() {
    HttpResponse<byte[]> empty = send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/"))
        .PUT(HttpRequest.BodyPublishers.ofString("v")));
    assertEquals(400, empty.statusCode());
    assertEquals("invalid_key", body(empty).get("error").asText());

    String longest = "k".repeat(512);
    assertEquals(200, put(longest, "v".getBytes(), "text/plain").statusCode());
    HttpResponse<byte[]> tooLong = put(longest + "k", "v".getBytes(), "text/plain");
    assertEquals(400, tooLong.statusCode());
    assertEquals("invalid_key", body(tooLong).get("error").asText());
    // 171 three-byte characters are 513 bytes of UTF-8
    assertEquals(400, put("€".repeat(171), "v".getBytes(), "text/plain").statusCode());
  }

  private HttpResponse<byte[]> putRaw(String rawKey, String value) {
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + rawKey)).PUT(HttpRequest.BodyPublishers.ofString(value)));
  }

  private HttpResponse<byte[]> getRaw(String rawKey) {
    return send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + rawKey)).GET());
  }

  @Test
  void keysThatAreNotUtf8AreRefusedNotAliased() {
    // %FF and %FE used to decode to the same U+FFFD key; overlong forms and encoded surrogates are not UTF-8 either
    for (String raw : List.of("%FF", "%FE", "a%FFb", "%C3", "%C0%AF", "%ED%A0%80", "%F4%90%80%80")) {
      HttpResponse<byte[]> put = putRaw(raw, "v");
      assertEquals(400, put.statusCode(), raw);
      assertEquals("invalid_encoding", body(put).get("error").asText(), raw);
      assertTrue(body(put).get("message").asText().contains("not valid UTF-8"), raw);
      assertEquals(400, getRaw(raw).statusCode(), raw);
      assertEquals(400, send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + raw)).DELETE()).statusCode(), raw);
    }
    assertEquals(404, getRaw("%EF%BF%BD").statusCode(), "nothing was stored under U+FFFD");
    assertEquals(400, HttpJson.status(base + "/v1/kv?prefix=%FF"), "query parameters are checked too");
  }

  @Test
  void keysWithNulAre400() {
    for (String raw : List.of("%00", "a%00b", "%00%00")) {
      HttpResponse<byte[]> put = putRaw(raw, "v");
      assertEquals(400, put.statusCode(), raw);
      assertEquals("invalid_encoding", body(put).get("error").asText(), raw);
      assertTrue(body(put).get("message").asText().contains("NUL"), raw);
    }
    assertEquals(400, HttpJson.status(base + "/v1/kv?prefix=a&after=%00"), "the listing's parameters reach SQL");
  }

  @Test
  void percentEncodedMultibyteKeysWork() {
    // 2-, 3- and 4-byte characters: ü, € and 🐝
    HttpResponse<byte[]> put = putRaw("gr%C3%BC%C3%9Fe-%E2%82%AC-%F0%9F%90%9D", "honey");
    assertEquals(200, put.statusCode(), new String(put.body(), StandardCharsets.UTF_8));
    assertEquals("grüße-€-🐝", body(put).get("key").asText());
    assertArrayEquals("honey".getBytes(), get("grüße-€-🐝").body());
    assertArrayEquals("honey".getBytes(), getRaw("gr%C3%BC%C3%9Fe-%E2%82%AC-%F0%9F%90%9D").body());
  }

  @Test
  void valuesUpToOneMebibyteAreStoredLargerOnesAre413() {
    byte[] max = new byte[1024 * 1024];
    new Random(1).nextBytes(max);
    assertEquals(200, put("big", max, "application/octet-stream").statusCode());
    assertArrayEquals(max, get("big").body());

    HttpResponse<byte[]> tooBig = put("big", new byte[1024 * 1024 + 1], "application/octet-stream");
    assertEquals(413, tooBig.statusCode());
    assertEquals("value_too_large", body(tooBig).get("error").asText());
    assertArrayEquals(max, get("big").body(), "a rejected value changes nothing");

    // without a Content-Length (chunked), the limit holds too
    HttpResponse<byte[]> chunked = send(HttpRequest.newBuilder(URI.create(url("big-chunked")))
        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[1024 * 1024 + 10]))));
    assertEquals(413, chunked.statusCode());
    assertEquals(404, get("big-chunked").statusCode());
  }

  @Test
  void listsKeysByPrefixInOrderWithPaging() {
    for (String key : List.of("list/b", "list/a", "list/c", "other/x")) {
      put(key, "v".getBytes(), "text/plain");
    }
    delete("list/c");
    // the index is eventually consistent: wait until it has caught up
    await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertEquals(
        List.of("list/a", "list/b"), keys(HttpJson.getJson(base + "/v1/kv?prefix=list/"))));

    JsonNode firstPage = HttpJson.getJson(base + "/v1/kv?prefix=list/&limit=1");
    assertEquals(List.of("list/a"), keys(firstPage));
    assertEquals("list/a", firstPage.get("next").asText());
    JsonNode secondPage = HttpJson.getJson(base + "/v1/kv?prefix=list/&limit=1&after=list/a");
    assertEquals(List.of("list/b"), keys(secondPage));
  }

  @Test
  void badListLimitIs400() {
    assertEquals(400, HttpJson.status(base + "/v1/kv?limit=0"));
    assertEquals(400, HttpJson.status(base + "/v1/kv?limit=abc"));
    assertEquals(400, HttpJson.status(base + "/v1/kv?limit=1001"));
  }

  @Test
  void shardsShowWhereKeysLive() {
    put("placed", "v".getBytes(), "text/plain");
    JsonNode shards = HttpJson.getJson(base + "/v1/cluster/shards");
    JsonNode kv = shards.get("entityTypes").get(0);
    assertEquals("kv", kv.get("name").asText());
    JsonNode self = kv.get("nodes").get(0);
    assertTrue(self.get("node").asText().startsWith("pekko://colony@127.0.0.1:"));
    assertTrue(self.get("shards").asInt() >= 1);
    assertTrue(self.get("entities").asInt() >= 1);
    assertEquals(self.get("shards").asInt(), self.get("entitiesPerShard").size());
  }

  private static List<String> keys(JsonNode list) {
    return StreamSupport.stream(list.get("keys").spliterator(), false).map(JsonNode::asText).toList();
  }
}
