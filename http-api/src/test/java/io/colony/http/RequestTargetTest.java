package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** The request-target as sent: percent-encodings must be UTF-8 and never NUL. */
@ExtendWith(LogCapturingExtension.class)
class RequestTargetTest {

  @Test
  void plainAndWellEncodedTargetsPass() {
    for (String ok : new String[] {"/", "/v1/kv/key", "/v1/kv/a%20b%2Fc", "/v1/kv/gr%C3%BC%C3%9Fe",
        "/v1/kv/%E2%82%AC%F0%9F%90%9D", "/v1/kv/%EF%BF%BD", "/v1/kv?prefix=%C3%A4&after=x", "/v1/kv/%7F",
        "http://localhost:8080/v1/kv/%C3%A4"}) {
      assertEquals(Optional.empty(), RequestTarget.problem(ok), ok);
    }
  }

  @Test
  void percentEncodingsThatAreNotUtf8AreNamed() {
    for (String bad : new String[] {"/v1/kv/%FF", "/v1/kv/%FE", "/v1/kv/%C3", "/v1/kv/%C3/%A4", "/v1/kv/%C0%AF",
        "/v1/kv/%ED%A0%80", "/v1/kv/%F4%90%80%80", "/v1/kv/%80", "/v1/kv?prefix=%E2%82"}) {
      Optional<String> problem = RequestTarget.problem(bad);
      assertTrue(problem.isPresent(), bad);
      assertTrue(problem.get().contains("not valid UTF-8"), problem.get());
    }
    assertTrue(RequestTarget.problem("/v1/kv/ok%FFok").orElseThrow().contains("%FF"));
  }

  @Test
  void nulIsRefusedWherever() {
    for (String bad : new String[] {"/v1/kv/%00", "/v1/kv/a%00", "/v1/kv/%C3%A4%00", "/v1/kv?after=%00"}) {
      assertTrue(RequestTarget.problem(bad).orElseThrow().contains("NUL"), bad);
    }
  }
}
