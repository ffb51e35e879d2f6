package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.http.ApiTokens.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tokens file: its forms, its comments, and a clear message naming the line of a bad one. */
class ApiTokensTest {

  private static ApiTokens parse(String... lines) {
    return ApiTokens.parse(List.of(lines), "tokens");
  }

  private static String refusal(String... lines) {
    return assertThrows(IllegalArgumentException.class, () -> parse(lines)).getMessage();
  }

  @Test
  void aPlainTokenGrantsItsRole() {
    ApiTokens tokens = parse("read s3cret", "write w-token", "admin a-token");

    assertEquals(Optional.of(Role.READ), tokens.roleOf("s3cret"));
    assertEquals(Optional.of(Role.WRITE), tokens.roleOf("w-token"));
    assertEquals(Optional.of(Role.ADMIN), tokens.roleOf("a-token"));
  }

  @Test
  void aHashedTokenMatchesTheTokenWhoseDigestItIs() {
    String digest = HexFormat.of().formatHex(ApiTokens.sha256("hashed-token"));

    ApiTokens tokens = parse("write sha256:" + digest.toUpperCase());

    assertEquals(Optional.of(Role.WRITE), tokens.roleOf("hashed-token"));
    assertEquals(Optional.empty(), tokens.roleOf("sha256:" + digest));
  }

  @Test
  void anUnknownTokenHasNoRole() {
    assertEquals(Optional.empty(), parse("admin a-token").roleOf("a-token "));
    assertEquals(Optional.empty(), parse("admin a-token").roleOf(""));
  }

  @Test
  void aTokenListedTwiceGetsItsStrongestRole() {
    assertEquals(Optional.of(Role.ADMIN), parse("read same", "admin same", "write same").roleOf("same"));
  }

  @Test
  void blankLinesCommentsRoleCaseAndSpacingAreAccepted() {
    ApiTokens tokens = parse("# operators", "", "   ", "  ADMIN \t a-token  ", "  # read r-token");

    assertEquals(Optional.of(Role.ADMIN), tokens.roleOf("a-token"));
    assertEquals(Optional.empty(), tokens.roleOf("r-token"));
  }

  @Test
  void rolesIncludeTheWeakerOnes() {
    assertTrue(Role.ADMIN.allows(Role.WRITE));
    assertTrue(Role.WRITE.allows(Role.READ));
    assertFalse(Role.READ.allows(Role.WRITE));
    assertFalse(Role.WRITE.allows(Role.ADMIN));
  }

  @Test
  void anUnknownRoleIsRefusedNamingTheLine() {
    String message = refusal("# ok", "read r", "owner o-token");

    assertTrue(message.contains("tokens line 3: unknown role 'owner'"), message);
  }

  @Test
  void aMissingTokenIsRefusedNamingTheLine() {
    String message = refusal("write");

    assertTrue(message.contains("tokens line 1 has 1 field(s)"), message);
  }

  @Test
  void aTokenWithSpacesIsRefused() {
    assertTrue(refusal("read two words").contains("line 1 has 3 field(s)"));
  }

  @Test
  void aDigestThatIsNot64HexDigitsIsRefused() {
    String message = refusal("read sha256:abc123");

    assertTrue(message.contains("tokens line 1: the digest is not 64 hex digits"), message);
  }

  @Test
  void aFileWithoutTokensIsRefusedRatherThanOpeningTheApi() {
    assertTrue(refusal("# nothing yet", "").contains("holds no token"));
  }

  @Test
  void noFileSettingMeansNoTokens() {
    assertFalse(ApiTokens.fromSetting("").enabled());
  }

  @Test
  void aMissingFileIsRefusedNamingIt(@TempDir Path dir) {
    Path missing = dir.resolve("absent");

    String message = assertThrows(IllegalArgumentException.class, () -> ApiTokens.fromSetting(missing.toString()))
        .getMessage();

    assertTrue(message.contains("cannot read " + missing.toAbsolutePath()), message);
  }

  @Test
  void aFileIsReadAndItsErrorsNameIt(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("tokens"), "read r-token\nreed x\n");

    String message = assertThrows(IllegalArgumentException.class, () -> ApiTokens.fromSetting(file.toString()))
        .getMessage();

    assertTrue(message.startsWith("COLONY_API_TOKENS_FILE: " + file.toAbsolutePath() + " line 2: unknown role 'reed'"),
        message);
  }
}
