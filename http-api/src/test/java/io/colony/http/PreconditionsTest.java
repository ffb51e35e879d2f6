package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.colony.sharding.kv.Precondition;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LogCapturingExtension.class)
class PreconditionsTest {

  @Test
  void headersBecomePreconditions() {
    assertEquals(Precondition.NONE, Preconditions.parse(Optional.empty(), Optional.empty()));
    assertEquals(Precondition.versionIs(42), Preconditions.parse(Optional.of("\"42\""), Optional.empty()));
    assertEquals(Precondition.exists(), Preconditions.parse(Optional.of(" * "), Optional.empty()));
    assertEquals(Precondition.absent(), Preconditions.parse(Optional.empty(), Optional.of("*")));
  }

  @Test
  void malformedHeadersAreRejected() {
    for (String bad : new String[] {"42", "\"\"", "\"-1\"", "W/\"1\"", "\"1\", \"2\"", "\"x\""}) {
      assertThrows(IllegalArgumentException.class, () -> Preconditions.parse(Optional.of(bad), Optional.empty()), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> Preconditions.parse(Optional.empty(), Optional.of("\"1\"")));
    assertThrows(IllegalArgumentException.class, () -> Preconditions.parse(Optional.of("\"1\""), Optional.of("*")));
  }
}
