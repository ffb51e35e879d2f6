package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.colony.runtime.NodeConfig;
import io.colony.runtime.tls.CertsCommand;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which nodes may start without API tokens or TLS, from the configuration a node really loads. */
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

  @TempDir
  static Path certificates;

  @BeforeAll
  static void makeCertificates() throws Exception {
    CertsCommand.run(certificates.toString());
  }

  private static String tlsDir() {
    return certificates.resolve("node-1").toString();
  }

  @Test
  void aNodeBeyondLoopbackWithoutTokensOrTlsRefusesToStartSayingWhatToDo() {
    for (String host : List.of("0.0.0.0", "10.0.0.11", "node-1.example.com", "127.0.0.2")) {
      String message = assertThrows(StartupSafety.UnsafeStartException.class,
          () -> StartupSafety.check(config(host), ApiTokens.none())).getMessage();
      assertTrue(message.contains("would listen on " + host + ", beyond loopback, with its HTTP API without API "
          + "tokens (COLONY_API_TOKENS_FILE or COLONY_API_JWKS_FILE) and its cluster port (Artery) without mutual TLS (COLONY_TLS_DIR)"), message);
      assertTrue(message.contains("COLONY_INSECURE=true"), message);
    }
  }

  @Test
  void tokensWithoutTlsAreNotEnough() {
    String message = assertThrows(StartupSafety.UnsafeStartException.class,
        () -> StartupSafety.check(config("0.0.0.0"), TOKENS)).getMessage();
    assertTrue(message.contains("with its cluster port (Artery) without mutual TLS (COLONY_TLS_DIR)."), message);
    assertFalse(message.contains("API tokens"), message);
  }

  @Test
  void tlsWithoutTokensIsNotEnough() {
    String message = assertThrows(StartupSafety.UnsafeStartException.class,
        () -> StartupSafety.check(config("0.0.0.0", "COLONY_TLS_DIR", tlsDir()), ApiTokens.none())).getMessage();
    assertTrue(message.contains("with its HTTP API without API tokens (COLONY_API_TOKENS_FILE or COLONY_API_JWKS_FILE)."), message);
    assertFalse(message.contains("TLS"), message);
  }

  @Test
  void aNodeBeyondLoopbackWithTokensAndTlsStarts() {
    assertDoesNotThrow(() -> StartupSafety.check(config("0.0.0.0", "COLONY_TLS_DIR", tlsDir()), TOKENS));
  }

  @Test
  void aJwtKeySetProtectsTheApiLikeATokensFile() throws Exception {
    Path keys = java.nio.file.Files.writeString(certificates.resolve("jwks.json"),
        new com.nimbusds.jose.jwk.JWKSet(JwtSigning.rsaKey("k").toPublicJWK()).toString());
    Config config = config("0.0.0.0", "COLONY_TLS_DIR", tlsDir(), "COLONY_API_JWKS_FILE", keys.toString());
    assertDoesNotThrow(() -> StartupSafety.check(config,
        ApiCredentials.either(ApiTokens.none(), JwtVerifier.fromSettings(config))));
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
