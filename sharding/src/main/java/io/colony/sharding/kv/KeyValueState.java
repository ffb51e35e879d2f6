package io.colony.sharding.kv;

import io.colony.persistence.CborSerializable;

/**
 * One key's state. {@code version} counts every change (writes and deletes), so an ETag is
 * never reused, not even after a delete and a new write. {@code value == null} means absent.
 */
public record KeyValueState(byte[] value, String contentType, long version) implements CborSerializable {

  public static final KeyValueState EMPTY = new KeyValueState(null, null, 0);

  public boolean exists() {
    return value != null;
  }

  KeyValueState apply(KeyValueEntity.Event event) {
    if (event instanceof KeyValueEntity.ValueWritten written) {
      return new KeyValueState(written.value(), written.contentType(), written.version());
    }
    if (event instanceof KeyValueEntity.ValueDeleted deleted) {
      return new KeyValueState(null, null, deleted.version());
    }
    throw new IllegalArgumentException("Unknown event " + event.getClass().getName());
  }
}
