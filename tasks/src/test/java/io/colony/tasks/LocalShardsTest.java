package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** Picking an id that lands on this node: the first wanted one, within a bounded number of draws. */
@ExtendWith(LogCapturingExtension.class)
class LocalShardsTest {

  @Test
  void takesTheFirstWantedId() {
    Iterator<String> ids = List.of("a", "b", "local-1", "local-2").iterator();
    assertEquals("local-1", LocalShards.firstMatching(id -> id.startsWith("local"), ids::next, 16));
  }

  @Test
  void settlesForARemoteIdAfterTheTries() {
    AtomicInteger drawn = new AtomicInteger();
    String id = LocalShards.firstMatching(candidate -> false, () -> "id-" + drawn.incrementAndGet(), 5);
    assertEquals("id-5", id);
    assertEquals(5, drawn.get(), "never more draws than tries");
  }
}
