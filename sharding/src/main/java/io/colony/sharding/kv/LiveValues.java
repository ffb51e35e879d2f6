package io.colony.sharding.kv;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * A node's budget for the values its live key entities hold in memory. Pekko can passivate
 * entities by count or idleness, not by size, and values range from a byte to 1 MiB: so each
 * key entity reports the bytes it holds after it loads or changes its value, and when the
 * node's total goes over the budget the entities changed least recently are asked to
 * passivate (their value stays in the journal; the next request loads it again). Node-local:
 * its messages never cross the network.
 */
public final class LiveValues extends AbstractBehavior<LiveValues.Command> {

  public sealed interface Command permits Holds, Released, GetTotal {}

  /** An entity holds this many bytes now (after recovery or a change). */
  public record Holds(ActorRef<KeyValueEntity.Command> entity, long bytes) implements Command {}

  /** An entity stopped. */
  public record Released(ActorRef<KeyValueEntity.Command> entity) implements Command {}

  /** For tests and metrics: the bytes held now and how many entities hold them. */
  public record GetTotal(ActorRef<Total> replyTo) implements Command {}

  public record Total(long bytes, int entities, long evicted) {}

  private final long budget;
  /** Least recently changed first. */
  private final Map<ActorRef<KeyValueEntity.Command>, Long> held = new LinkedHashMap<>();
  private long total;
  private long evicted;

  private LiveValues(ActorContext<Command> context, long budget) {
    super(context);
    this.budget = budget;
  }

  public static Behavior<Command> create(long budgetBytes) {
    return Behaviors.setup(context -> new LiveValues(context, budgetBytes));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Holds.class, this::onHolds)
        .onMessage(Released.class, this::onReleased)
        .onMessage(GetTotal.class, get -> {
          get.replyTo().tell(new Total(total, held.size(), evicted));
          return this;
        })
        .build();
  }

  private Behavior<Command> onHolds(Holds holds) {
    Long before = held.remove(holds.entity());
    total -= before == null ? 0 : before;
    held.put(holds.entity(), holds.bytes());
    total += holds.bytes();
    evictOver(holds.entity());
    return this;
  }

  private Behavior<Command> onReleased(Released released) {
    Long before = held.remove(released.entity());
    total -= before == null ? 0 : before;
    return this;
  }

  /** Asks the least recently changed entities, never the one just reported, to passivate. */
  private void evictOver(ActorRef<KeyValueEntity.Command> keep) {
    for (Iterator<Map.Entry<ActorRef<KeyValueEntity.Command>, Long>> it = held.entrySet().iterator();
        total > budget && it.hasNext(); ) {
      Map.Entry<ActorRef<KeyValueEntity.Command>, Long> oldest = it.next();
      if (oldest.getKey().equals(keep)) {
        continue;
      }
      oldest.getKey().tell(KeyValueEntity.Evict.INSTANCE);
      total -= oldest.getValue();
      evicted++;
      it.remove();
    }
  }
}
