package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.colony.testkit.FreePorts;
import io.colony.testkit.H2Server;
import io.colony.testkit.HttpJson;
import io.colony.testkit.LocalCluster;
import io.colony.testkit.NodeProcess;
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
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The transfer saga on three real node processes sharing one H2 server: 200 concurrent random
 * transfers between six accounts of 1,000, sent through all nodes while one node is killed
 * with kill -9 midway. Every transfer settles (COMPLETED or FAILED), no money is created or
 * lost (the balances add up to 6,000), and each account's balance is exactly what its
 * completed transfers say. Some transfers go to an account that was never opened: their
 * deposit is refused and the saga refunds the withdrawal.
 */
@ExtendWith(LogCapturingExtension.class)
class TransferClusterIT {

  private static final int ACCOUNTS = 6;
  private static final long INITIAL_BALANCE = 1000;
  private static final int TRANSFERS = 200;
  private static final Duration FORM = Duration.ofSeconds(90);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final List<NodeProcess> started = new ArrayList<>();
  private H2Server database;

  /** One transfer as the test planned it. */
  record Planned(String id, String from, String to, long amount) {}

  @AfterEach
  void stopAll() {
    started.forEach(NodeProcess::close);
    if (database != null) {
      database.close();
    }
  }

  @Test
  void everyTransferSettlesAndNoMoneyIsCreatedOrLostWhenANodeIsKilled() throws Exception {
    Path dir = Path.of("target", "it-logs", "transfer-cluster").toAbsolutePath();
    database = H2Server.start(dir.resolve("db"));
    int[] http = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    int[] remote = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    Map<String, String> env = new HashMap<>(database.env());
    env.put("COLONY_SEED_NODES", "127.0.0.1:" + remote[0] + ",127.0.0.1:" + remote[1] + ",127.0.0.1:" + remote[2]);
    env.put("COLONY_DATA_DIR", dir.resolve("data").toString());
    NodeProcess[] nodes = new NodeProcess[3];
    for (int i = 0; i < 3; i++) {
      nodes[i] = start(dir, "node-" + (i + 1), http[i], remote[i], env);
    }
    awaitAllUp(nodes);

    // Six accounts of 1,000 each; ids are new on every run (the H2 folder may hold older runs).
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> accounts = new ArrayList<>();
    for (int i = 0; i < ACCOUNTS; i++) {
      String account = "run-" + run + "-acc-" + i;
      accounts.add(account);
      sendUntilOk(nodes, "/v1/entities/account/" + account, "{\"type\":\"open\"}", i);
      sendUntilOk(nodes, "/v1/entities/account/" + account,
          "{\"type\":\"deposit\",\"amount\":" + INITIAL_BALANCE + ",\"operationId\":\"initial\"}", i);
    }
    String ghost = "run-" + run + "-never-opened";

    // 200 random transfers; every tenth goes to the account that was never opened.
    Random random = new Random(42);
    List<Planned> plan = new ArrayList<>();
    for (int i = 0; i < TRANSFERS; i++) {
      String from = accounts.get(random.nextInt(ACCOUNTS));
      String to = i % 10 == 9 ? ghost : accounts.get(random.nextInt(ACCOUNTS));
      while (to.equals(from)) {
        to = accounts.get(random.nextInt(ACCOUNTS));
      }
      plan.add(new Planned("run-" + run + "-t-" + i, from, to, 1 + random.nextInt(400)));
    }

    // Send them from eight clients through all nodes; kill -9 the node with the most transfer
    // shards once half of them are accepted. Clients fail over to the other nodes.
    CountDownLatch half = new CountDownLatch(TRANSFERS / 2);
    ExecutorService clients = Executors.newFixedThreadPool(8);
    int victim;
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < TRANSFERS; i++) {
        Planned transfer = plan.get(i);
        int first = i % 3;
        sent.add(clients.submit(() -> {
          sendUntilOk(nodes, "/v1/entities/transfer/" + transfer.id(), "{\"type\":\"start\",\"from\":\"" + transfer.from()
              + "\",\"to\":\"" + transfer.to() + "\",\"amount\":" + transfer.amount() + "}", first);
          half.countDown();
          return null;
        }));
      }
      assertTrue(half.await(120, TimeUnit.SECONDS), "half of the transfers accepted");
      victim = nodeWithMostShards(nodes, "transfer");
      nodes[victim].kill();
      for (Future<?> each : sent) {
        each.get(180, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }

    // Back to three nodes. Money in flight (withdrawn, not yet deposited or refunded) comes back
    // without anyone asking a transfer: sharding restarts the remembered sagas, which resume.
    nodes[victim] = start(dir, "node-" + (victim + 1) + "-restarted", http[victim], remote[victim], env);
    awaitAllUp(nodes);
    await("no money in flight").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
        .until(() -> accounts.stream().mapToLong(account -> balance(nodes, account)).sum() == ACCOUNTS * INITIAL_BALANCE);

    // Every transfer reaches COMPLETED or FAILED.
    Map<String, JsonNode> settled = new ConcurrentHashMap<>();
    try {
      await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1)).until(() -> {
        int round = settled.size();
        for (Planned transfer : plan) {
          if (!settled.containsKey(transfer.id())) {
            JsonNode state = getOrNull(nodes[round++ % 3], "/v1/entities/transfer/" + transfer.id());
            if (state != null && Set.of("COMPLETED", "FAILED").contains(state.get("status").asText())) {
              settled.put(transfer.id(), state);
            }
          }
        }
        return settled.size() == TRANSFERS;
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      List<String> pending = plan.stream().map(Planned::id).filter(id -> !settled.containsKey(id)).toList();
      throw new AssertionError(pending.size() + " transfers did not settle, e.g. " + pending.get(0) + "\n" + logs(nodes), e);
    }

    // Balances: each account holds what its completed transfers say, and they add up to 6,000.
    Map<String, Long> expected = new TreeMap<>();
    accounts.forEach(account -> expected.put(account, INITIAL_BALANCE));
    int completed = 0;
    int refunded = 0;
    for (Planned transfer : plan) {
      JsonNode state = settled.get(transfer.id());
      assertEquals(transfer.from(), state.get("from").asText());
      assertEquals(transfer.amount(), state.get("amount").asLong());
      if (state.get("status").asText().equals("COMPLETED")) {
        completed++;
        expected.merge(transfer.from(), -transfer.amount(), Long::sum);
        expected.merge(transfer.to(), transfer.amount(), Long::sum);
      } else if (transfer.to().equals(ghost)) {
        String reason = state.get("reason").asText();
        assertTrue(reason.endsWith("refunded") || reason.startsWith("withdrawal refused"), state.toString());
        refunded += reason.endsWith("refunded") ? 1 : 0;
      }
    }
    Map<String, Long> actual = new TreeMap<>();
    for (String account : accounts) {
      actual.put(account, balance(nodes, account));
    }
    assertEquals(ACCOUNTS * INITIAL_BALANCE, actual.values().stream().mapToLong(Long::longValue).sum(),
        "no money created or lost: " + actual);
    assertEquals(expected, actual, "every balance is what the completed transfers say");
    assertEquals(0, balance(nodes, ghost), "the account that was never opened holds nothing");
    assertTrue(plan.stream().filter(t -> t.to().equals(ghost)).allMatch(t -> settled.get(t.id()).get("status").asText().equals("FAILED")),
        "no transfer to the unopened account completes");
    assertTrue(refunded > 0, "some transfers to the unopened account were withdrawn, then refunded");
    assertTrue(completed > TRANSFERS / 3, "most transfers between open accounts complete: " + completed);
  }

  /** POSTs until a node answers 200, trying the nodes in turn from {@code first} (a start is idempotent). */
  private static void sendUntilOk(NodeProcess[] nodes, String path, String body, int first) {
    AtomicInteger attempt = new AtomicInteger(first);
    await("POST " + path + " accepted").atMost(Duration.ofSeconds(150))
        .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
        .until(() -> {
          NodeProcess node = nodes[attempt.getAndIncrement() % nodes.length];
          HttpResponse<String> response = sendQuietly(HttpRequest.newBuilder(URI.create(node.url() + path))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body)));
          if (response != null && response.statusCode() != 200 && response.statusCode() != 503) {
            throw new AssertionError("POST " + path + " " + body + " → " + response.statusCode() + " " + response.body());
          }
          return response != null && response.statusCode() == 200;
        });
  }

  private static long balance(NodeProcess[] nodes, String account) {
    return await().atMost(Duration.ofSeconds(60)).until(
        () -> getOrNull(nodes[Math.floorMod(account.hashCode(), nodes.length)], "/v1/entities/account/" + account),
        state -> state != null).get("balance").asLong();
  }

  /** The JSON of a 200 answer; null for anything else (a 503 while shards move, a node that is down). */
  private static JsonNode getOrNull(NodeProcess node, String path) {
    HttpResponse<String> response = sendQuietly(HttpRequest.newBuilder(URI.create(node.url() + path)).GET());
    if (response == null || response.statusCode() != 200) {
      return null;
    }
    try {
      return MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  private static HttpResponse<String> sendQuietly(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static int nodeWithMostShards(NodeProcess[] nodes, String entityType) {
    Map<String, Integer> shards = new HashMap<>();
    for (JsonNode type : HttpJson.getJson(nodes[0].url() + "/v1/cluster/shards").get("entityTypes")) {
      if (type.get("name").asText().equals(entityType)) {
        type.get("nodes").forEach(n -> shards.put(n.get("node").asText(), n.get("shards").asInt()));
      }
    }
    int best = 0;
    for (int i = 1; i < nodes.length; i++) {
      if (shards.getOrDefault(nodes[i].address(), 0) > shards.getOrDefault(nodes[best].address(), 0)) {
        best = i;
      }
    }
    return best;
  }

  private NodeProcess start(Path dir, String name, int httpPort, int remotePort, Map<String, String> env) {
    NodeProcess node = NodeProcess.start(name, dir, httpPort, remotePort, env, List.of(NodeProcess.samplesClasspath()));
    started.add(node);
    return node;
  }

  private static void awaitAllUp(NodeProcess... nodes) {
    LocalCluster.awaitUp(FORM, nodes);
  }

  private static String logs(NodeProcess[] nodes) {
    return java.util.Arrays.stream(nodes).map(NodeProcess::logTail).collect(Collectors.joining("\n"));
  }
}
