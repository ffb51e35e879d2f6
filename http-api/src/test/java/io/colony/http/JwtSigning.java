package io.colony.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/** What an identity provider does in these tests: keys, and JWTs signed with them. */
final class JwtSigning {

  private JwtSigning() {}

  static RSAKey rsaKey(String keyId) {
    try {
      return new RSAKeyGenerator(2048).keyID(keyId).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JWT for subject alice; {@code role} goes in colony_role unless null; it expires after {@code lifetime}. */
  static String jwt(RSAKey key, String issuer, String audience, Object role, Duration lifetime) {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .subject("alice")
        .issuer(issuer)
        .audience(audience)
        .expirationTime(Date.from(Instant.now().plus(lifetime)));
    if (role != null) {
      claims.claim("colony_role", role);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims.build());
    try {
      jwt.sign(new RSASSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
    return jwt.serialize();
  }
}
