package io.colony.http;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The bearer tokens of the HTTP API, read from the tokens file ({@code COLONY_API_TOKENS_FILE}):
 * one {@code <role> <token>} or {@code <role> sha256:<hex digest of the token>} per line, blank
 * lines and {@code #} comments ignored. Only SHA-256 digests are kept; a presented token is
 * compared with every digest in constant time.
 */
public final class ApiTokens implements ApiCredentials {

  /** What a token may do; each role may do everything the ones before it may. */
  public enum Role {
    /** GET and HEAD of everything but health checks, which are open. */
    READ,
    /** Also PUT, POST and DELETE of data and tasks. */
    WRITE,
    /** Everything, cluster operations included. */
    ADMIN;

    public boolean allows(Role needed) {
      return compareTo(needed) >= 0;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private record Entry(Role role, byte[] digest) {}

  private static final String HASHED = "sha256:";
  private static final Pattern HEX_DIGEST = Pattern.compile("[0-9a-fA-F]{64}");

  private final List<Entry> entries;

  private ApiTokens(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** No tokens file: the API is open (which {@link StartupSafety} allows on loopback only). */
  public static ApiTokens none() {
    return new ApiTokens(List.of());
  }

  @Override
  public boolean enabled() {
    return !entries.isEmpty();
  }

  /**
   * Reads the file named by {@code colony.http.api-tokens-file}, or none when it is empty.
   *
   * @throws IllegalArgumentException naming the file and line when it cannot be read or a line is malformed
   */
  public static ApiTokens fromSetting(String file) {
    if (file.isBlank()) {
      return none();
    }
    Path path = Path.of(file);
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("COLONY_API_TOKENS_FILE: cannot read " + path.toAbsolutePath() + " (" + e + ")");
    }
    return parse(lines, path.toAbsolutePath().toString());
  }

  /** Parses the lines of a tokens file; {@code source} names it in error messages. */
  static ApiTokens parse(List<String> lines, String source) {
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      entries.add(entry(line.split("\\s+"), source + " line " + (i + 1)));
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("COLONY_API_TOKENS_FILE: " + source + " holds no token; every request "
          + "would be refused. Add lines of the form '<read|write|admin> <token>'.");
    }
    return new ApiTokens(entries);
  }

  private static Entry entry(String[] fields, String where) {
    String usage = "; expected '<read|write|admin> <token>' or '<role> sha256:<64 hex digits>'";
    if (fields.length != 2) {
      throw new IllegalArgumentException("COLONY_API_TOKENS_FILE: " + where + " has " + fields.length
          + " field(s)" + usage);
    }
    Role role;
    try {
      role = Role.valueOf(fields[0].toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("COLONY_API_TOKENS_FILE: " + where + ": unknown role '" + fields[0] + "'" + usage);
    }
    String token = fields[1];
    if (token.startsWith(HASHED)) {
      String hex = token.substring(HASHED.length());
      if (!HEX_DIGEST.matcher(hex).matches()) {
        throw new IllegalArgumentException("COLONY_API_TOKENS_FILE: " + where + ": the digest is not 64 hex digits" + usage);
      }
      return new Entry(role, HexFormat.of().parseHex(hex));
    }
    return new Entry(role, sha256(token));
  }

  /** The strongest role of a token that matches {@code token}; every digest is compared, in constant time. */
  @Override
  public Optional<Role> roleOf(String token) {
    byte[] presented = sha256(token);
    Role found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(entry.digest(), presented) && (found == null || entry.role().allows(found))) {
        found = entry.role();
      }
    }
    return Optional.ofNullable(found);
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
  }
}
