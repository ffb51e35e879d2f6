package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.http.testing.HttpJson;
import io.colony.http.testing.NodeProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The key-value store on three real node processes and a real journal database: acknowledged
 * writes survive kill -9 of the node with the most shards and a restart of the whole cluster,
 * and compare-and-set counts exactly under contention from three nodes.
 */
abstract class KvClusterSystemTest extends ThreeNodeSystemTest {

  private static final int KEYS = 1000;
  private static final int INCREMENTS_PER_CLIENT = 200;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();


  @Test
  void acknowledgedWritesSurviveKillAndFullRestartAndCasCountsExactly() throws Exception {
    startCluster();

    // 1,000 keys with binary values, written through all three nodes.
    String run = UUID.randomUUID().toString().substring(0, 8);
    Map<String, byte[]> acknowledged = writeKeys(run, cluster.nodes());
    assertEquals(KEYS, acknowledged.size(), "every write is acknowledged, at the latest after retries of 503");

    // kill -9 the node that hosts the most shards; every acknowledged write is read back from the others.
    int victim = nodeWithMostShards(cluster.nodes());
    cluster.node(victim).kill();
    assertAllReadable(acknowledged, cluster.others(victim), Duration.ofSeconds(90));

    // Back to three nodes; three clients on three nodes increment one counter by compare-and-set.
    cluster.start(victim, "restarted");
    cluster.awaitAllUp();
    String counter = "run-" + run + "/counter";
    int successes = incrementConcurrently(counter, cluster.nodes());
    assertEquals(3 * INCREMENTS_PER_CLIENT, successes, "each client counts its own successful writes");
    assertEquals(successes, Integer.parseInt(new String(readValue(cluster.node(0), counter), StandardCharsets.UTF_8)));

    // Stop the whole cluster gracefully, start it again: everything is still there.
    for (NodeProcess node : cluster.nodes()) {
      node.terminate();
    }
    for (NodeProcess node : cluster.nodes()) {
      assertEquals(0, node.waitForExit(Duration.ofSeconds(60)), node.logTail());
    }
    cluster.startAll("after-full-restart");
    cluster.awaitAllUp();
    assertAllReadable(acknowledged, cluster.nodes(), Duration.ofSeconds(60));
    assertEquals(successes, Integer.parseInt(new String(readValue(cluster.node(1), counter), StandardCharsets.UTF_8)));
  }

  private Map<String, byte[]> writeKeys(String run, NodeProcess[] nodes) throws Exception {
    Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (int i = 0; i < KEYS; i++) {
        int n = i;
        writes.add(pool.submit(() -> {
          Random random = new Random(n);
          byte[] value = new byte[1 + random.nextInt(2048)];
          random.nextBytes(value);
          String key = "run-" + run + "/key-" + n;
          // Like any client, retry a 503 (Retry-After) or a dropped connection: the same PUT is idempotent.
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while (System.nanoTime() < deadline) {
            HttpResponse<byte[]> response = sendQuietly(HttpRequest.newBuilder(kvUri(nodes[n % nodes.length], key))
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(value)));
            if (response != null && response.statusCode() == 200) {
              acknowledged.put(key, value);
              break;
            }
            if (response != null && response.statusCode() != 503) {
              throw new AssertionError("PUT " + key + " answered " + response.statusCode());
            }
          }
          return null;
        }));
      }
      for (Future<?> write : writes) {
        write.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    return acknowledged;
  }

  private int nodeWithMostShards(NodeProcess[] nodes) {
    JsonNode kv = HttpJson.getJson(nodes[0].url() + "/v1/cluster/shards").get("entityTypes").get(0);
    Map<String, Integer> shardsByNode = new HashMap<>();
    kv.get("nodes").forEach(n -> shardsByNode.put(n.get("node").asText(), n.get("shards").asInt()));
    int best = 0;
    for (int i = 1; i < nodes.length; i++) {
      if (shardsByNode.getOrDefault(nodes[i].address(), 0) > shardsByNode.getOrDefault(nodes[best].address(), 0)) {
        best = i;
      }
    }
    assertTrue(shardsByNode.getOrDefault(nodes[best].address(), 0) > 0, "shards: " + shardsByNode);
    return best;
  }

  /**
   * Every key answers 200 with exactly its bytes. A 503 (the key's shard is moving) is retried
   * until the deadline; a 404 or other bytes mean an acknowledged write was lost and fail at once.
   */
  private void assertAllReadable(Map<String, byte[]> expected, NodeProcess[] nodes, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    List<String> pending = new ArrayList<>(expected.keySet());
    int round = 0;
    while (!pending.isEmpty()) {
      List<String> retry = new ArrayList<>();
      for (int i = 0; i < pending.size(); i++) {
        String key = pending.get(i);
        NodeProcess node = nodes[(i + round) % nodes.length];
        HttpResponse<byte[]> response = sendQuietly(HttpRequest.newBuilder(kvUri(node, key)).GET());
        if (response != null && response.statusCode() == 200) {
          assertArrayEquals(expected.get(key), response.body(), "bytes of " + key);
        } else if (response != null && response.statusCode() == 404) {
          throw new AssertionError("acknowledged key lost: " + key);
        } else {
          retry.add(key);
        }
      }
      if (!retry.isEmpty() && System.nanoTime() > deadline) {
        throw new AssertionError(retry.size() + " keys still unreadable after " + within + ", e.g. " + retry.get(0)
            + "\n" + java.util.Arrays.stream(nodes).map(NodeProcess::logTail).collect(Collectors.joining("\n")));
      }
      pending = retry;
      round++;
    }
  }

  /** Three clients, one per node: read, write value+1 with If-Match, retry on 412 or 503. */
  private int incrementConcurrently(String key, NodeProcess[] nodes) throws Exception {
    AtomicInteger successes = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(nodes.length);
    try {
      List<Future<Integer>> clients = new ArrayList<>();
      for (NodeProcess node : nodes) {
        clients.add(pool.submit(() -> {
          int mine = 0;
          long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
          while (mine < INCREMENTS_PER_CLIENT && System.nanoTime() < deadline) {
            HttpResponse<byte[]> current = sendQuietly(HttpRequest.newBuilder(kvUri(node, key)).GET());
            if (current == null || (current.statusCode() != 200 && current.statusCode() != 404)) {
              continue;
            }
            int value = current.statusCode() == 404 ? 0 : Integer.parseInt(new String(current.body(), StandardCharsets.UTF_8));
            HttpRequest.Builder write = HttpRequest.newBuilder(kvUri(node, key))
                .header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString(Integer.toString(value + 1)));
            if (current.statusCode() == 404) {
              write.header("If-None-Match", "*");
            } else {
              write.header("If-Match", current.headers().firstValue("ETag").orElseThrow());
            }
            HttpResponse<byte[]> written = sendQuietly(write);
            if (written != null && written.statusCode() == 200) {
              mine++;
              successes.incrementAndGet();
            }
          }
          return mine;
        }));
      }
      for (Future<Integer> client : clients) {
        assertEquals(INCREMENTS_PER_CLIENT, client.get(200, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    return successes.get();
  }

  private byte[] readValue(NodeProcess node, String key) {
    HttpResponse<byte[]> response = send(HttpRequest.newBuilder(kvUri(node, key)).GET());
    assertEquals(200, response.statusCode());
    return response.body();
  }

  private static URI kvUri(NodeProcess node, String key) {
    // Keys are one path segment: their '/' travels as %2F.
    return URI.create(node.url() + "/v1/kv/" + java.net.URLEncoder.encode(key, StandardCharsets.UTF_8));
  }

  private static HttpResponse<byte[]> send(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** null when the node does not answer (it may be the one just killed, or busy taking over). */
  private static HttpResponse<byte[]> sendQuietly(HttpRequest.Builder request) {
    try {
      return send(request);
    } catch (java.io.UncheckedIOException e) {
      return null;
    }
  }
}
