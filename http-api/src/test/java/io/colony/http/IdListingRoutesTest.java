package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.http.testing.InJvmNode;
import io.colony.testkit.HttpJson;
import io.colony.testkit.KvJournal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code GET /v1/kv} and {@code GET /v1/entities/{type}} of a real single-node cluster over real
 * HTTP, served from the listing table: 10,000 keys written to the journal (batched JDBC, serialized
 * as the journal plugin does), then paged; keys and counters written over HTTP are listed within the documented bound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class IdListingRoutesTest {

  private static final int SEEDED = 10_000;
  /** The listing bound the README documents for a running cluster. */
  private static final Duration BOUND = Duration.ofMillis(1500);
  private static final Comparator<String> BYTE_ORDER =
      Comparator.comparing(key -> key.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

  private ColonyNode node;
  private String base;
  private final List<String> seeded = new ArrayList<>();

  @BeforeAll
  void startNodeAndSeedKeys() {
    InJvmNode.Started started = InJvmNode.startReady("");
    node = started.node();
    base = started.base();
    IntStream.range(0, SEEDED).mapToObj(i -> String.format("seed/%05d", i)).forEach(seeded::add);
    long writing = System.nanoTime();
    KvJournal.write(node.system(), seeded);
    long projecting = System.nanoTime();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> lastOf(listing("/v1/kv?prefix=seed/&after=seed/09990&limit=100")).equals("seed/09999"));
    System.out.printf("seeded %d keys: journal %d ms, then listed within %d ms%n", SEEDED,
        (projecting - writing) / 1_000_000, (System.nanoTime() - projecting) / 1_000_000);
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  @Test
  void pagingOverTenThousandKeysIsExact() {
    for (int limit : new int[] {1000, 997}) {
      List<JsonNode> pages = pages("/v1/kv?prefix=seed/&limit=" + limit);
      List<String> listed = pages.stream().flatMap(page -> ids(page, "keys").stream()).toList();
      assertEquals(SEEDED, listed.size(), "pages of " + limit);
      assertTrue(seeded.equals(listed), "every key once, in order, with pages of " + limit);
      assertEquals((SEEDED + limit - 1) / limit, pages.size());
      for (int i = 0; i < pages.size() - 1; i++) {
        assertEquals(limit, pages.get(i).get("keys").size());
        assertEquals(ids(pages.get(i), "keys").get(limit - 1), pages.get(i).get("next").asText());
      }
      assertTrue(pages.get(pages.size() - 1).get("next").isNull(), "the last page says so");
    }
  }

  @Test
  void aPrefixListsOnlyItsKeys() {
    assertEquals(seeded.subList(120, 130), ids(listing("/v1/kv?prefix=seed/0012"), "keys"));
    assertEquals(List.of(), ids(listing("/v1/kv?prefix=seed/x"), "keys"));
    assertEquals(seeded.subList(0, 3), ids(listing("/v1/kv?prefix=seed/&limit=3"), "keys"));
    assertEquals(100, listing("/v1/kv?prefix=seed/").get("keys").size(), "100 by default");
  }

  @Test
  void deletedKeysAreNotListed() {
    List<String> keys = List.of("del/a", "del/b", "del/c", "del/d");
    keys.forEach(key -> assertEquals(200, put(key)));
    awaitListed("/v1/kv?prefix=del/", "keys", keys);
    assertEquals(204, delete("del/b"));
    assertEquals(204, delete("del/d"));
    awaitListed("/v1/kv?prefix=del/", "keys", List.of("del/a", "del/c"));
    assertEquals(200, put("del/b"));
    awaitListed("/v1/kv?prefix=del/", "keys", List.of("del/a", "del/b", "del/c"));
  }

  @Test
  void nonAsciiKeysAreListedInUtf8ByteOrderAndPageByThem() {
    List<String> keys =
        new ArrayList<>(List.of("uni/z", "uni/é", "uni/ｆ", "uni/😀", "uni/中", "uni/A", "uni/a b"));
    keys.forEach(key -> assertEquals(200, put(key)));
    keys.sort(BYTE_ORDER);
    // U+1F600 comes after U+FF46 in bytes (code points); Java's String order (UTF-16) would put it first.
    assertTrue(keys.indexOf("uni/ｆ") < keys.indexOf("uni/😀"));
    awaitListed("/v1/kv?prefix=uni/", "keys", keys);
    List<String> paged = ids(pages("/v1/kv?prefix=" + encode("uni/") + "&limit=2"), "keys");
    assertEquals(keys, paged, "pages continue after a non-ASCII key");
    assertEquals(List.of("uni/😀"), ids(listing("/v1/kv?prefix=uni/&after=" + encode("uni/ｆ")), "keys"));
  }

  @Test
  void longKeysWithHashedPersistenceIdsAreListedUnderTheirRealKey() {
    String longKey = "long/" + "k".repeat(300);
    String tilde = "~tilde";
    assertEquals(200, put(longKey));
    assertEquals(200, put(tilde));
    awaitListed("/v1/kv?prefix=long/", "keys", List.of(longKey));
    awaitListed("/v1/kv?prefix=~", "keys", List.of(tilde));
    assertEquals(204, delete(longKey));
    awaitListed("/v1/kv?prefix=long/", "keys", List.of());
  }

  @Test
  void aWriteIsListedWithinTheBound() {
    for (int i = 0; i < 5; i++) {
      String key = "bound/" + i;
      long written = System.nanoTime();
      assertEquals(200, put(key));
      long acknowledged = System.nanoTime();
      await().atMost(BOUND).pollInterval(Duration.ofMillis(20))
          .until(() -> ids(listing("/v1/kv?prefix=" + encode(key)), "keys").contains(key));
      System.out.printf("key listed %d ms after its PUT was acknowledged (the PUT took %d ms)%n",
          (System.nanoTime() - acknowledged) / 1_000_000, (acknowledged - written) / 1_000_000);
    }
  }

  @Test
  void entityIdsOfATypeAreListedLikeKeys() {
    List<String> ids = new ArrayList<>(List.of("c-2", "c-1", "c-10", "zähler", "Zähler-ß"));
    for (String id : ids) {
      HttpRequest.Builder post = HttpRequest.newBuilder(URI.create(base + "/v1/entities/counter/" + encode(id)))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"increment\",\"by\":1}"));
      assertEquals(200, HttpJson.send(post).statusCode(), id);
    }
    ids.sort(BYTE_ORDER);
    awaitListed("/v1/entities/counter", "ids", ids);
    assertEquals(ids, ids(pages("/v1/entities/counter?limit=2"), "ids"));
    assertEquals(List.of("c-1", "c-10"), ids(listing("/v1/entities/counter?prefix=c-1"), "ids"));
    assertEquals(List.of(), ids(listing("/v1/entities/cart"), "ids"), "another type lists its own ids");
    assertEquals(404, HttpJson.status(base + "/v1/entities/no-such-type"));
    assertEquals(400, HttpJson.status(base + "/v1/entities/counter?limit=0"));
  }

  @Test
  void aSeededKeyReadsBackAsItsEntity() {
    assertEquals("seed/00042", HttpJson.get(base + "/v1/kv/" + encode("seed/00042")).body());
  }

  @Test
  void badListLimitIs400() {
    assertEquals(400, HttpJson.status(base + "/v1/kv?limit=0"));
    assertEquals(400, HttpJson.status(base + "/v1/kv?limit=1001"));
  }

  // --- helpers ---

  private int put(String key) {
    return HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + encode(key)))
        .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString("v"))).statusCode();
  }

  private int delete(String key) {
    return HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + encode(key))).DELETE()).statusCode();
  }

  private void awaitListed(String path, String field, List<String> expected) {
    await().atMost(BOUND).pollInterval(Duration.ofMillis(20))
        .untilAsserted(() -> assertEquals(expected, ids(listing(path), field)));
  }

  private JsonNode listing(String path) {
    return HttpJson.getJson(base + path);
  }

  /** Every page, following {@code next}. */
  private List<JsonNode> pages(String path) {
    return HttpJson.pages(base + path, 1000);
  }

  private static List<String> ids(List<JsonNode> pages, String field) {
    return pages.stream().flatMap(page -> ids(page, field).stream()).toList();
  }

  private static List<String> ids(JsonNode page, String field) {
    return StreamSupport.stream(page.get(field).spliterator(), false).map(JsonNode::asText).toList();
  }

  private static String lastOf(JsonNode page) {
    List<String> keys = ids(page, "keys");
    return keys.isEmpty() ? "" : keys.get(keys.size() - 1);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
