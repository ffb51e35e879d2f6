package io.colony.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Checks the request-target exactly as the client sent it, before pekko-http's decoding hides
 * what was wrong: pekko-http decodes a percent-encoding that is not UTF-8 (such as {@code %FF})
 * to U+FFFD, so {@code /v1/kv/%FF} and {@code /v1/kv/%FE} would be the same key. Keys, ids and
 * query parameters end up in the journal and its indexes, whose text columns cannot hold NUL
 * (PostgreSQL) and should never hold a replacement character that stands for lost bytes.
 */
final class RequestTarget {

  private RequestTarget() {}

  /**
   * Why {@code raw} (the request-target as sent, e.g. {@code /v1/kv/a%20b?x=1}) is not
   * acceptable, or empty when it is: every run of percent-encoded bytes must be well-formed UTF-8
   * (no overlong forms, no surrogates) and none may be NUL.
   */
  static Optional<String> problem(String raw) {
    int i = 0;
    while (i < raw.length()) {
      if (raw.charAt(i) != '%') {
        i++;
        continue;
      }
      int start = i;
      ByteBuffer bytes = ByteBuffer.allocate(raw.length() / 3 + 1);
      while (i + 2 < raw.length() && raw.charAt(i) == '%' && isHex(raw.charAt(i + 1)) && isHex(raw.charAt(i + 2))) {
        bytes.put((byte) HexFormat.fromHexDigits(raw, i + 1, i + 3));
        i += 3;
      }
      if (i == start) {
        // pekko-http's strict parser already refuses a '%' without two hex digits; skip it here.
        i++;
        continue;
      }
      bytes.flip();
      for (int b = bytes.position(); b < bytes.limit(); b++) {
        if (bytes.get(b) == 0) {
          return Optional.of("The request has %00 (NUL) in its path or query; keys, ids and parameters cannot hold NUL.");
        }
      }
      try {
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(bytes);
      } catch (CharacterCodingException e) {
        String run = i - start <= 36 ? raw.substring(start, i) : raw.substring(start, start + 36) + "…";
        return Optional.of("The request has " + run + " in its path or query, which is not valid UTF-8;"
            + " keys, ids and parameters must be percent-encoded UTF-8.");
      }
    }
    return Optional.empty();
  }

  private static boolean isHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
