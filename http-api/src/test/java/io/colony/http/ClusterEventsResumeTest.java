package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.colony.http.testing.InJvmNode;
import io.colony.http.testing.SseClient;
import io.colony.http.testing.SseClient.Event;
import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Resuming {@code GET /v1/cluster/events} with {@code Last-Event-ID}, on a real node (node A)
 * that other nodes join and leave, all ActorSystems in this JVM on one in-memory H2 journal. A
 * second client that stays connected the whole time (the witness) is the oracle: a resumed
 * client must get exactly the events the witness got after the resumed client's last id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class ClusterEventsResumeTest {

  private static final Duration WAIT = Duration.ofSeconds(60);

  private final List<ColonyNode> others = new ArrayList<>();
  private final String journal = "jdbc:h2:mem:events-resume-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
  private ColonyNode nodeA;
  private int remoteA;
  private String events;

  @BeforeAll
  void startNodeA() {
    int http = FreePorts.next();
    remoteA = FreePorts.next();
    nodeA = ColonyNode.start(InJvmNode.config(http, remoteA, Map.of("COLONY_DB_URL", journal),
        // Frequent keep-alives, so that they interleave with the replayed and the live events.
        "colony.http.sse-keep-alive = 200ms\npekko.cluster.jmx.multi-mbeans-in-same-jvm = on"));
    String base = "http://127.0.0.1:" + http;
    await().atMost(WAIT).until(() -> HttpJson.status(base + "/ready") == 200);
    events = base + "/v1/cluster/events";
  }

  @AfterAll
  void stopAll() {
    others.forEach(node -> ActorTestKit.shutdown(node.system()));
    ActorTestKit.shutdown(nodeA.system());
  }

  @Test
  void aClientThatReconnectsWithItsLastEventIdGetsExactlyTheChangesItMissedThenLiveOnes() {
    try (SseClient witness = SseClient.open(events, null)) {
      Event witnessSnapshot = witness.next(WAIT);
      assertEquals("snapshot", witnessSnapshot.type());

      String lastSeen;
      try (SseClient client = SseClient.open(events, null)) {
        Event snapshot = client.next(WAIT);
        assertEquals("snapshot", snapshot.type());
        assertEquals(witnessSnapshot, snapshot, "no change in between: the same snapshot, as of the same id");
        lastSeen = snapshot.id();
      }

      // While the client is away, a node joins and leaves again.
      ColonyNode nodeB = startJoiningNode();
      String addressB = "pekko://colony@127.0.0.1:" + remotePort(nodeB);
      List<Event> missed = new ArrayList<>(readUntil(witness, about("MemberUp", addressB)));
      ActorTestKit.shutdown(nodeB.system());
      others.remove(nodeB);
      missed.addAll(readUntil(witness, about("MemberRemoved", addressB)));
      assertConsecutiveFrom(Long.parseLong(lastSeen) + 1, missed);

      try (SseClient resumed = SseClient.open(events, lastSeen)) {
        List<Event> replayed = new ArrayList<>();
        for (int i = 0; i < missed.size(); i++) {
          replayed.add(resumed.next(WAIT));
        }
        assertEquals(missed, replayed, "the missed changes, by id and content, and no snapshot");

        // And then live: the next node's changes follow the replay without a gap or a repeat.
        ColonyNode nodeC = startJoiningNode();
        List<Event> live = readUntil(witness, about("MemberUp", "pekko://colony@127.0.0.1:" + remotePort(nodeC)));
        List<Event> resumedLive = new ArrayList<>();
        for (int i = 0; i < live.size(); i++) {
          resumedLive.add(resumed.next(WAIT));
        }
        assertEquals(live, resumedLive);
        assertConsecutiveFrom(Long.parseLong(missed.get(missed.size() - 1).id()) + 1, live);
      }
    }
  }

  @Test
  void anIdOlderThanTheHistoryGetsAResetWithTheCurrentMembership() throws Exception {
    // Ids start at the node's start time in microseconds: 1 is from long before this node's history.
    try (SseClient client = SseClient.open(events, "1")) {
      Event reset = client.next(WAIT);
      assertEquals("reset", reset.type());
      assertTrue(reset.id().matches("[0-9]+"), reset.id());
      JsonNode members = new ObjectMapper().readTree(reset.data()).get("members");
      assertTrue(members.findValuesAsText("node").contains("pekko://colony@127.0.0.1:" + remoteA), reset.data());
    }
  }

  @Test
  void anIdThisNodeNeverGaveOutGetsAResetToo() {
    try (SseClient client = SseClient.open(events + "?since=999999999999999999", null)) {
      assertEquals("reset", client.next(WAIT).type());
    }
  }

  @Test
  void aMalformedLastEventIdIsA400() {
    HttpResponse<String> response = HttpJson.send(HttpRequest.newBuilder(URI.create(events))
        .header("Last-Event-ID", "abc"));

    assertEquals(400, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    assertEquals("invalid_event_id", HttpJson.json(response).get("error").asText());
  }

  @Test
  void aMalformedSinceIsA400() {
    HttpResponse<String> response = HttpJson.get(events + "?since=-5");

    assertEquals(400, response.statusCode(), response.body());
    assertEquals("invalid_event_id", HttpJson.json(response).get("error").asText());
  }

  private ColonyNode startJoiningNode() {
    ColonyNode node = ColonyNode.start(InJvmNode.config(FreePorts.next(), FreePorts.next(),
        Map.of("COLONY_SEED_NODES", "127.0.0.1:" + remoteA, "COLONY_DB_URL", journal),
        "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on"));
    others.add(node);
    return node;
  }

  private static int remotePort(ColonyNode node) {
    return node.system().address().getPort().get();
  }

  /** An event of {@code type} about the member at {@code address}. */
  private static Predicate<Event> about(String type, String address) {
    return event -> type.equals(event.type()) && event.data().contains("\"node\":\"" + address + "\"");
  }

  /** The events the client receives up to and including the first that matches. */
  private static List<Event> readUntil(SseClient client, Predicate<Event> last) {
    List<Event> read = new ArrayList<>();
    Event event;
    do {
      event = client.next(WAIT);
      read.add(event);
    } while (!last.test(event));
    return read;
  }

  private static void assertConsecutiveFrom(long first, List<Event> events) {
    for (int i = 0; i < events.size(); i++) {
      assertEquals(String.valueOf(first + i), events.get(i).id(), "event " + i + " of " + events);
    }
  }
}
