package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.http.testing.InJvmNode;
import io.colony.http.testing.RawHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The HTTP edge of a real node with its default settings, over raw sockets: many idle or stalled
 * connections leave the health checks answering.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpEdgeTest {

  private static final String HEALTH = "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

  private ColonyNode node;
  private int port;

  @BeforeAll
  void startNode() {
    InJvmNode.Started started = InJvmNode.startReady("");
    node = started.node();
    port = URI.create(started.base()).getPort();
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  @Test
  void elevenHundredIdleOrStalledSocketsLeaveAliveAndReadyAnswering() throws IOException {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 1100; i++) {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        if (i % 2 == 1) {
          // a slow client: part of a request line, then nothing
          socket.getOutputStream().write("GET /v1/kv/stalled HT".getBytes(StandardCharsets.US_ASCII));
          socket.getOutputStream().flush();
        }
      }
      // RawHttp reads with a 5 s timeout: a health check stuck behind the idle sockets fails here
      for (String path : List.of("/alive", "/ready", "/alive", "/ready")) {
        long started = System.nanoTime();
        RawHttp.Reply reply = RawHttp.exchange(port, String.format(HEALTH, path));
        assertEquals(200, reply.status(), path + ": " + reply.body());
        assertTrue(System.nanoTime() - started < 3_000_000_000L, path + " took more than 3 s");
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }
}
