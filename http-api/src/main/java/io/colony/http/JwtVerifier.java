package io.colony.http;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.typesafe.config.Config;
import io.colony.http.ApiTokens.Role;
import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JWTs from an identity provider: signed (RSA, RSA-PSS or EC) by a key of a local JWK set
 * ({@code COLONY_API_JWKS_FILE}), unexpired, from the configured issuer and for the configured
 * audience when those are set, and naming a role in the role claim ({@code colony_role}: one of
 * read, write, admin, or a list of them, the strongest counting). Anything else is not valid.
 */
public final class JwtVerifier implements ApiCredentials {

  private static final Logger log = LoggerFactory.getLogger(JwtVerifier.class);

  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(
      JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
      JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
      JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

  private final ConfigurableJWTProcessor<SecurityContext> processor;
  private final String roleClaim;

  private JwtVerifier(ConfigurableJWTProcessor<SecurityContext> processor, String roleClaim) {
    this.processor = processor;
    this.roleClaim = roleClaim;
  }

  /**
   * From {@code colony.http.jwt}: none (not enabled) when no key set file is named.
   *
   * @throws IllegalArgumentException when the key set file cannot be read or holds no public key
   */
  public static ApiCredentials fromSettings(Config config) {
    Config jwt = config.getConfig("colony.http.jwt");
    String file = jwt.getString("jwks-file");
    if (file.isBlank()) {
      return ApiTokens.none();
    }
    Path path = Path.of(file).toAbsolutePath();
    JWKSet keys;
    try {
      // Only the public halves: a key set with private keys in it verifies the same.
      keys = JWKSet.load(path.toFile()).toPublicJWKSet();
    } catch (IOException | ParseException e) {
      throw new IllegalArgumentException("COLONY_API_JWKS_FILE: cannot read a JWK set from " + path + " (" + e.getMessage() + ")");
    }
    if (keys.getKeys().isEmpty()) {
      throw new IllegalArgumentException("COLONY_API_JWKS_FILE: " + path + " holds no public key");
    }
    return create(keys, jwt.getString("issuer"), jwt.getString("audience"), jwt.getString("role-claim"));
  }

  static JwtVerifier create(JWKSet keys, String issuer, String audience, String roleClaim) {
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, new ImmutableJWKSet<>(keys)));
    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (!issuer.isBlank()) {
      exact.issuer(issuer);
    }
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
        audience.isBlank() ? null : audience, exact.build(), Set.of("exp", roleClaim)));
    return new JwtVerifier(processor, roleClaim);
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public Optional<Role> roleOf(String token) {
    if (token.chars().filter(c -> c == '.').count() != 2) {
      return Optional.empty(); // not a JWS in compact form (an API token, say)
    }
    try {
      return strongest(processor.process(token, null).getClaim(roleClaim));
    } catch (ParseException | BadJOSEException | JOSEException e) {
      log.debug("JWT refused: {}", e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<Role> strongest(Object claim) {
    Collection<?> values = claim instanceof Collection<?> list ? list : claim == null ? Set.of() : Set.of(claim);
    Set<Role> roles = new HashSet<>();
    for (Object value : values) {
      for (Role role : Role.values()) {
        if (role.label().equals(String.valueOf(value).toLowerCase(Locale.ROOT))) {
          roles.add(role);
        }
      }
    }
    return roles.stream().max(Enum::compareTo);
  }
}
