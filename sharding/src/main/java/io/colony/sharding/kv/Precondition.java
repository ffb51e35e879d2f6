package io.colony.sharding.kv;

import io.colony.persistence.CborSerializable;

/**
 * The condition a write or delete makes on the key's current state, from HTTP's
 * {@code If-Match} and {@code If-None-Match} headers.
 */
public record Precondition(Kind kind, long version) implements CborSerializable {

  /** What must hold for the change to go ahead. */
  public enum Kind {
    /** No condition. */
    NONE,
    /** {@code If-Match: "v"}: the key exists at exactly this version. */
    VERSION_IS,
    /** {@code If-Match: *}: the key exists. */
    EXISTS,
    /** {@code If-None-Match: *}: the key does not exist (create-only). */
    ABSENT
  }

  public static final Precondition NONE = new Precondition(Kind.NONE, 0);

  public static Precondition versionIs(long version) {
    return new Precondition(Kind.VERSION_IS, version);
  }

  public static Precondition exists() {
    return new Precondition(Kind.EXISTS, 0);
  }

  public static Precondition absent() {
    return new Precondition(Kind.ABSENT, 0);
  }

  boolean holdsFor(KeyValueState state) {
    return switch (kind) {
      case NONE -> true;
      case VERSION_IS -> state.exists() && state.version() == version;
      case EXISTS -> state.exists();
      case ABSENT -> !state.exists();
    };
  }
}
