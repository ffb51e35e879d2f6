package io.colony.persistence;

/**
 * Marker for every message that crosses nodes and every event or snapshot that is persisted.
 * It is bound to Pekko's Jackson CBOR serializer in this module's {@code reference.conf};
 * Java serialization stays off, so a message without this marker fails loudly instead of
 * silently falling back to an unsafe format.
 */
public interface CborSerializable {}
