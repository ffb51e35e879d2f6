package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.http.testing.InJvmNode;
import io.colony.testkit.RawHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The HTTP edge of a real node with its default settings, over raw sockets: many idle or stalled
 * connections leave the health checks answering, and requests too malformed for any route still
 * get a JSON 4xx.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
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
      // RawHttp reads with a 5 s timeout: a health check stuck behind the idle sockets (until
      // their 75 s idle timeout) fails there; 5 s, not less, because this machine is shared
      for (String path : List.of("/alive", "/ready", "/alive", "/ready")) {
        RawHttp.Reply reply = RawHttp.exchange(port, String.format(HEALTH, path));
        assertEquals(200, reply.status(), path + ": " + reply.body());
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
  }

  static Stream<Arguments> malformedRequests() {
    String host = "Host: localhost\r\n";
    StringBuilder manyHeaders = new StringBuilder();
    for (int i = 0; i < 70; i++) {
      manyHeaders.append("X-Header-").append(i).append(": v\r\n");
    }
    return Stream.of(
        Arguments.of("bad request-target", "GET /v1/kv/a{b} HTTP/1.1\r\n" + host + "\r\n", 400),
        Arguments.of("bad percent-encoding", "GET /v1/kv/%zz HTTP/1.1\r\n" + host + "\r\n", 400),
        Arguments.of("invalid header line", "GET /alive HTTP/1.1\r\n" + host + "No colon in this line\r\n\r\n", 400),
        Arguments.of("invalid header name", "GET /alive HTTP/1.1\r\n" + host + "Bad(Name): v\r\n\r\n", 400),
        Arguments.of("invalid Content-Length", "POST /v1/tasks HTTP/1.1\r\n" + host + "Content-Length: ten\r\n\r\n", 400),
        Arguments.of("missing Host", "GET /alive HTTP/1.1\r\n\r\n", 400),
        Arguments.of("URI too long (414)", "GET /v1/kv/" + "k".repeat(3000) + " HTTP/1.1\r\n" + host + "\r\n", 414),
        Arguments.of("header value too large (431)", "GET /alive HTTP/1.1\r\n" + host + "X-Big: " + "v".repeat(9000) + "\r\n\r\n", 431),
        // pekko-http answers too many headers with 400, not 431
        Arguments.of("too many headers", "GET /alive HTTP/1.1\r\n" + host + manyHeaders + "\r\n", 400),
        Arguments.of("unknown method", "BREW /alive HTTP/1.1\r\n" + host + "\r\n", 400),
        Arguments.of("method too long", "ABCDEFGHIJKLMNOPQRSTUVWXYZ /alive HTTP/1.1\r\n" + host + "\r\n", 400),
        Arguments.of("unknown protocol version", "GET /alive HTTP/3.7\r\n" + host + "\r\n", 400),
        Arguments.of("TLS to the plain port", "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003\r\n\r\n", 400),
        Arguments.of("body over max-content-length (413)", "POST /v1/tasks HTTP/1.1\r\n" + host
            + "Content-Type: application/json\r\nContent-Length: 9000000\r\n\r\n{", 413),
        Arguments.of("value over 1 MiB (413)", "PUT /v1/kv/big HTTP/1.1\r\n" + host
            + "Content-Type: text/plain\r\nContent-Length: 1048577\r\n\r\nv", 413),
        Arguments.of("entity command over the cap (413)", "POST /v1/entities/counter/c HTTP/1.1\r\n" + host
            + "Content-Type: application/json\r\nContent-Length: 65537\r\n\r\n{", 413),
        Arguments.of("invalid UTF-8 in a key", "PUT /v1/kv/%FF HTTP/1.1\r\n" + host + "Content-Length: 1\r\n\r\nv", 400),
        Arguments.of("NUL in a key", "GET /v1/kv/%00 HTTP/1.1\r\n" + host + "\r\n", 400));
  }

  @ParameterizedTest(name = "{0} is a JSON {2}")
  @MethodSource("malformedRequests")
  void everyMalformedRequestGetsAJson4xx(String name, String request, int status) {
    RawHttp.Reply reply = RawHttp.exchange(port, request);
    assertEquals(status, reply.status(), name + ": " + reply.body());
    assertTrue(reply.header("Content-Type").startsWith("application/json"), name + ": " + reply.headers());
    JsonNode body = reply.json();
    assertTrue(body.path("error").isTextual() && !body.path("error").asText().isEmpty(), name + ": " + reply.body());
    assertTrue(body.path("message").isTextual() && body.path("message").asText().length() > 5, name + ": " + reply.body());
  }

  @Test
  void theJsonErrorsSayWhatWasWrong() {
    RawHttp.Reply method = RawHttp.exchange(port, "BREW /alive HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertEquals("unsupported_method", method.json().get("error").asText());
    assertTrue(method.json().get("message").asText().contains("'BREW'"), method.body());
    RawHttp.Reply uri = RawHttp.exchange(port, "GET /" + "k".repeat(3000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertEquals("uri_too_long", uri.json().get("error").asText());
    assertTrue(uri.json().get("message").asText().contains("URI length exceeds"), uri.body());
    RawHttp.Reply header = RawHttp.exchange(port,
        "GET /alive HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "v".repeat(9000) + "\r\n\r\n");
    assertEquals("request_header_fields_too_large", header.json().get("error").asText());
    RawHttp.Reply body = RawHttp.exchange(port, "POST /v1/tasks HTTP/1.1\r\nHost: localhost\r\n"
        + "Content-Type: application/json\r\nContent-Length: 9000000\r\n\r\n{");
    assertEquals("content_too_large", body.json().get("error").asText());
    assertTrue(body.json().get("message").asText().contains("8388608 bytes"), body.body());
  }
}
