package io.colony.http;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * The last {@code capacity} events of a stream, each numbered one above the one before, so that
 * a client that saw event {@code n} can be sent exactly the events after it. Not thread-safe: one
 * actor owns it.
 *
 * @param <T> what an event carries
 */
public final class EventHistory<T> {

  /** An event and the id it was given. */
  public record Entry<T>(long id, T event) {}

  private final int capacity;
  private final ArrayDeque<Entry<T>> entries;
  private long nextId;

  /**
   * @param capacity how many events are kept; the oldest is dropped beyond it (0 keeps none)
   * @param firstId the id of the first event ever appended
   */
  public EventHistory(int capacity, long firstId) {
    if (capacity < 0) {
      throw new IllegalArgumentException("An event history holds 0 or more events, not " + capacity);
    }
    if (firstId < 1) {
      throw new IllegalArgumentException("Event ids start at 1 or above, not " + firstId);
    }
    this.capacity = capacity;
    this.entries = new ArrayDeque<>(Math.min(capacity, 1024));
    this.nextId = firstId;
  }

  /** Numbers the event, keeps it (dropping the oldest when full) and returns it with its id. */
  public Entry<T> append(T event) {
    Entry<T> entry = new Entry<>(nextId++, event);
    if (capacity > 0) {
      if (entries.size() == capacity) {
        entries.removeFirst();
      }
      entries.addLast(entry);
    }
    return entry;
  }

  /** The id of the latest event, or {@code firstId - 1} before the first: what a snapshot is "as of". */
  public long lastId() {
    return nextId - 1;
  }

  /**
   * Every event after {@code seen}, oldest first (none when {@code seen} is the latest id), or
   * empty when the history cannot tell: events after {@code seen} were dropped already, or
   * {@code seen} was never given out here (above the latest id, or below the first one).
   */
  public Optional<List<Entry<T>>> after(long seen) {
    long oldestKept = nextId - entries.size();
    if (seen > lastId() || seen < oldestKept - 1) {
      return Optional.empty();
    }
    return Optional.of(entries.stream().filter(entry -> entry.id() > seen).toList());
  }
}
