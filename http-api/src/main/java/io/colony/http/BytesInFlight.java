package io.colony.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's budget for request bodies being received and carried to their entities at once, so
 * that many large writes at a time wait or are refused (503 with Retry-After) instead of
 * filling the heap.
 */
final class BytesInFlight {

  private final long budget;
  private final AtomicLong used = new AtomicLong();

  BytesInFlight(long budget) {
    this.budget = budget;
  }

  /** Takes {@code bytes} from the budget if they fit (a single request larger than the whole budget fits alone). */
  boolean tryAcquire(long bytes) {
    while (true) {
      long now = used.get();
      if (now > 0 && now + bytes > budget) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  long used() {
    return used.get();
  }

  long budget() {
    return budget;
  }
}
