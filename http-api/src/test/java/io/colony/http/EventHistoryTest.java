package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The bounded, numbered history that lets a client of {@code /v1/cluster/events} resume. */
class EventHistoryTest {

  private static List<String> events(Optional<List<EventHistory.Entry<String>>> entries) {
    return entries.orElseThrow().stream().map(EventHistory.Entry::event).toList();
  }

  @Test
  void eventsAreNumberedOneAboveTheOneBeforeFromTheFirstId() {
    EventHistory<String> history = new EventHistory<>(3, 100);
    assertEquals(99, history.lastId(), "before the first event");

    assertEquals(new EventHistory.Entry<>(100, "a"), history.append("a"));
    assertEquals(new EventHistory.Entry<>(101, "b"), history.append("b"));
    assertEquals(101, history.lastId());
  }

  @Test
  void aClientGetsExactlyTheEventsAfterTheIdItSaw() {
    EventHistory<String> history = new EventHistory<>(5, 1);
    List.of("a", "b", "c", "d").forEach(history::append);

    assertEquals(List.of("c", "d"), events(history.after(2)));
    assertEquals(List.of(3L, 4L), history.after(2).orElseThrow().stream().map(EventHistory.Entry::id).toList());
    assertEquals(List.of(), events(history.after(4)), "nothing missed");
    assertEquals(List.of("a", "b", "c", "d"), events(history.after(0)), "the id a snapshot before any event has");
  }

  @Test
  void onlyTheLastCapacityEventsAreKept() {
    EventHistory<String> history = new EventHistory<>(3, 1);
    List.of("a", "b", "c", "d", "e").forEach(history::append);

    assertEquals(List.of("c", "d", "e"), events(history.after(2)), "the oldest resumable id");
    assertTrue(history.after(1).isEmpty(), "event 2 was dropped: the client cannot resume");
    assertTrue(history.after(0).isEmpty());
  }

  @Test
  void anIdNeverGivenOutHereCannotResume() {
    EventHistory<String> history = new EventHistory<>(10, 1_000);
    history.append("a");

    assertTrue(history.after(1_001).isEmpty(), "above the latest id: another node's, or a later life's");
    assertTrue(history.after(998).isEmpty(), "below the first id: from this node's previous life");
    assertEquals(List.of("a"), events(history.after(999)));
  }

  @Test
  void anEmptyHistoryResumesOnlyFromTheLatestId() {
    EventHistory<String> history = new EventHistory<>(0, 1);
    history.append("a");
    history.append("b");

    assertEquals(List.of(), events(history.after(2)));
    assertTrue(history.after(1).isEmpty());
  }

  @Test
  void aNegativeCapacityOrIdIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new EventHistory<String>(-1, 1));
    assertThrows(IllegalArgumentException.class, () -> new EventHistory<String>(1, 0));
  }
}
