package io.colony.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.http.testing.InJvmNode;
import io.colony.testkit.HttpJson;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** Request bodies in flight are bounded: beyond the budget a write gets 503 at once, and the budget comes back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(LogCapturingExtension.class)
class BytesInFlightRouteTest {

  private ColonyNode node;
  private String base;

  @BeforeAll
  void startNode() {
    InJvmNode.Started started = InJvmNode.startReady("colony.http.max-bytes-in-flight = 600 KiB");
    node = started.node();
    base = started.base();
  }

  @AfterAll
  void stopNode() {
    ActorTestKit.shutdown(node.system());
  }

  private HttpResponse<String> put(String key, int bytes) {
    return HttpJson.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/" + key))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[bytes])));
  }

  @Test
  void aWriteBeyondTheBudgetIsRefusedWhileALargeOneIsStillArriving() throws Exception {
    URI uri = URI.create(base);
    int size = 512 * 1024;
    try (Socket slow = new Socket(uri.getHost(), uri.getPort())) {
      OutputStream out = slow.getOutputStream();
      out.write(("PUT /v1/kv/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: "
          + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[size / 2]);
      out.flush();
      // 512 KiB of the 600 KiB budget are taken until that body has arrived and is stored.
      HttpResponse<String> refused = await().atMost(Duration.ofSeconds(10)).until(() -> put("other", 100 * 1024),
          response -> response.statusCode() == 503);
      assertTrue(refused.body().contains("max-bytes-in-flight"), refused.body());
      assertTrue(refused.headers().firstValue("Retry-After").isPresent());
      assertEquals(404, HttpJson.status(base + "/v1/kv/other"), "nothing was stored");
      assertEquals(200, put("small", 10 * 1024).statusCode(), "a write that fits still goes through");

      out.write(new byte[size - size / 2]);
      out.flush();
      InputStream in = slow.getInputStream();
      String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 200", status);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> put("other", 100 * 1024).statusCode() == 200);
  }
}
