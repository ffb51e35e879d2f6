package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.colony.runtime.NodeConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which nodes may start without API tokens, from the configuration a node really loads. */
class StartupSafetyTest {

  private static final ApiTokens TOKENS = ApiTokens.parse(List.of("admin a-token"), "tokens");

  private static Config config(String host, String... more) {
    Map<String, String> env = new HashMap<>(Map.of("COLONY_HOST", host));
    for (int i = 0; i < more.length; i += 2) {
      env.put(more[i], more[i + 1]);
    }
    return NodeConfig.load(env);
  }

  @Test
  void aLoopbackNodeStartsWithoutTokens() {
    for (String host : List.of("127.0.0.1", "localhost", "LOCALHOST", "::1", "[::1]")) {
      assertDoesNotThrow(() -> StartupSafety.check(config(host), ApiTokens.none()), host);
    }
  }

  @Test
  void theDefaultHostIsLoopback() {
    assertDoesNotThrow(() -> StartupSafety.check(NodeConfig.load(Map.of()), ApiTokens.none()));
  }

  @Test
  void aNodeBeyondLoopbackWithoutTokensRefusesToStartSayingWhatToDo() {
    for (String host : List.of("0.0.0.0", "10.0.0.11", "node-1.example.com", "127.0.0.2")) {
      String message = assertThrows(StartupSafety.UnsafeStartException.class,
          () -> StartupSafety.check(config(host), ApiTokens.none())).getMessage();
      assertTrue(message.contains("would listen on " + host + ", beyond loopback, without API tokens"), message);
      assertTrue(message.contains("COLONY_API_TOKENS_FILE") && message.contains("COLONY_INSECURE=true"), message);
    }
  }

  @Test
  void aNodeBeyondLoopbackWithTokensStarts() {
    assertDoesNotThrow(() -> StartupSafety.check(config("0.0.0.0"), TOKENS));
  }

  @Test
  void insecureLetsANodeBeyondLoopbackStartWithoutTokens() {
    assertDoesNotThrow(() -> StartupSafety.check(config("0.0.0.0", "COLONY_INSECURE", "true"), ApiTokens.none()));
  }

  @Test
  void insecureIsOffUnlessSetToTrue() {
    assertFalse(NodeConfig.load(Map.of()).getBoolean("colony.node.insecure"));
    assertThrows(StartupSafety.UnsafeStartException.class,
        () -> StartupSafety.check(config("0.0.0.0", "COLONY_INSECURE", "false"), ApiTokens.none()));
  }
}
