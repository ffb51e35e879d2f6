package io.colony.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class MemoryShareTest {

  @Test
  void aShareOfTheHeapOrAByteSize() {
    assertEquals(64L << 20, MemoryShare.bytes(ConfigFactory.parseString("b = \"25%\""), "b", 256L << 20));
    assertEquals(32L << 20, MemoryShare.bytes(ConfigFactory.parseString("b = 32 MiB"), "b", 256L << 20));
    assertThrows(IllegalArgumentException.class,
        () -> MemoryShare.bytes(ConfigFactory.parseString("b = \"120%\""), "b", 256L << 20));
  }
}
