package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import io.colony.http.ApiTokens.Role;
import io.colony.runtime.NodeConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which JWTs grant which role, and the key set file's errors. */
class JwtVerifierTest {

  private static final RSAKey KEY = JwtSigning.rsaKey("k1");
  private final JwtVerifier verifier = JwtVerifier.create(new JWKSet(KEY.toPublicJWK()), "idp", "colony", "colony_role");

  private Optional<Role> roleOf(Object role) {
    return verifier.roleOf(JwtSigning.jwt(KEY, "idp", "colony", role, Duration.ofMinutes(5)));
  }

  @Test
  void theRoleClaimGrantsItsRoleAndAListItsStrongest() {
    assertEquals(Optional.of(Role.READ), roleOf("read"));
    assertEquals(Optional.of(Role.ADMIN), roleOf("ADMIN"));
    assertEquals(Optional.of(Role.WRITE), roleOf(List.of("read", "write", "auditor")));
  }

  @Test
  void noKnownRoleGrantsNothing() {
    assertEquals(Optional.empty(), roleOf(null));
    assertEquals(Optional.empty(), roleOf("superuser"));
    assertEquals(Optional.empty(), roleOf(List.of()));
  }

  @Test
  void anotherIssuerAnExpiredTokenOrAnUnsignedOneGrantNothing() {
    assertEquals(Optional.empty(), verifier.roleOf(JwtSigning.jwt(KEY, "someone-else", "colony", "admin", Duration.ofMinutes(5))));
    assertEquals(Optional.empty(), verifier.roleOf(JwtSigning.jwt(KEY, "idp", "colony", "admin", Duration.ofMinutes(-5))));
    String signed = JwtSigning.jwt(KEY, "idp", "colony", "admin", Duration.ofMinutes(5));
    String header = Base64URL.encode("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)).toString();
    String unsigned = header + signed.substring(signed.indexOf('.'), signed.lastIndexOf('.') + 1);
    assertEquals(Optional.empty(), verifier.roleOf(unsigned));
    assertEquals(Optional.empty(), verifier.roleOf("not.a.jwt"));
    assertEquals(Optional.empty(), verifier.roleOf("an-api-token"));
  }

  @Test
  void aKeySetFileIsReadForItsPublicKeysAndABadOneStopsTheNode(@TempDir Path dir) throws Exception {
    Path withPrivate = Files.writeString(dir.resolve("jwks.json"), new JWKSet(KEY).toString(false));
    ApiCredentials fromFile = JwtVerifier.fromSettings(NodeConfig.load(Map.of("COLONY_API_JWKS_FILE", withPrivate.toString(),
        "COLONY_API_JWT_AUDIENCE", "colony")));
    assertTrue(fromFile.enabled());
    assertEquals(Optional.of(Role.WRITE),
        fromFile.roleOf(JwtSigning.jwt(KEY, "any-issuer", "colony", "write", Duration.ofMinutes(5))));

    assertFalse(JwtVerifier.fromSettings(NodeConfig.load(Map.of())).enabled(), "no key set file: no JWTs");
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"keys\": [ {\"kty\": ");
    String message = assertThrows(IllegalArgumentException.class, () -> JwtVerifier.fromSettings(
        NodeConfig.load(Map.of("COLONY_API_JWKS_FILE", broken.toString())))).getMessage();
    assertTrue(message.startsWith("COLONY_API_JWKS_FILE: cannot read a JWK set from " + broken.toAbsolutePath()), message);
    Path empty = Files.writeString(dir.resolve("empty.json"), "{\"keys\": []}");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> JwtVerifier.fromSettings(
        NodeConfig.load(Map.of("COLONY_API_JWKS_FILE", empty.toString())))).getMessage().contains("holds no public key"));
  }
}
