package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.colony.http.testing.InJvmNode;
import io.colony.testkit.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The idle timeout closes quiet connections, but not Server-Sent Events streams, whose
 * keep-alive comments are traffic. A node with a 2 s idle timeout and keep-alives every 500 ms.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class IdleTimeoutTest {

  private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

  private ColonyNode node;
  private int port;

  @BeforeAll
  void startNode() {
    InJvmNode.Started started = InJvmNode.startReady(
        "pekko.http.server.idle-timeout = 2s\n"
            // pekko-http wants the request timeout below the idle timeout
            + "pekko.http.server.request-timeout = 1s\n"
            + "colony.http.sse-keep-alive = 500ms\n");
    node = started.node();
    port = URI.create(started.base()).getPort();
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return socket;
  }

  private static void send(Socket socket, String request) throws IOException {
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedByTheServerAfterTheIdleTimeout() throws IOException {
    try (Socket socket = connect()) {
      socket.setSoTimeout(5_000);
      String alive = "GET /alive HTTP/1.1\r\nHost: localhost\r\n\r\n";
      send(socket, alive);
      assertEquals(200, RawHttp.read(socket.getInputStream()).status());
      send(socket, alive);
      assertEquals(200, RawHttp.read(socket.getInputStream()).status(), "the connection is kept alive");

      long quietSince = System.nanoTime();
      // the socket read times out after 3 idle timeouts: a connection still open by then fails the test
      socket.setSoTimeout((int) IDLE_TIMEOUT.toMillis() * 3);
      try {
        assertEquals(-1, socket.getInputStream().read(), "the server sends nothing more, it closes");
      } catch (SocketTimeoutException e) {
        fail("the idle connection was still open after " + IDLE_TIMEOUT.multipliedBy(3));
      } catch (SocketException reset) {
        // closed by a reset rather than a FIN: closed all the same
      }
      Duration quiet = Duration.ofNanos(System.nanoTime() - quietSince);
      assertTrue(quiet.compareTo(IDLE_TIMEOUT.minusMillis(300)) >= 0, "closed after only " + quiet);
    }
  }

  @Test
  void anEventStreamOutlivesTheIdleTimeoutThanksToItsKeepAlives() throws IOException {
    try (Socket socket = connect()) {
      // every read must see bytes within one idle timeout, or the test fails with a timeout
      socket.setSoTimeout((int) IDLE_TIMEOUT.toMillis());
      send(socket, "GET /v1/cluster/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n");
      InputStream in = socket.getInputStream();
      String head = RawHttp.readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      assertTrue(head.toLowerCase().contains("content-type: text/event-stream"), head);

      long openSince = System.nanoTime();
      Duration observe = IDLE_TIMEOUT.multipliedBy(3);
      byte[] buffer = new byte[4096];
      long received = 0;
      while (System.nanoTime() - openSince < observe.toNanos()) {
        int read = in.read(buffer);
        assertTrue(read > 0, "the stream ended after " + Duration.ofNanos(System.nanoTime() - openSince));
        received += read;
      }
      assertTrue(received > 0);
      // and the stream still works: the connection is open after three idle timeouts
      assertTrue(in.read(buffer) > 0, "a keep-alive after " + observe);
    }
  }
}
