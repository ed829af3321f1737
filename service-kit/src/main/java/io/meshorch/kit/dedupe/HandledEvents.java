package io.meshorch.kit.dedupe;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.EventType;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which incoming events this service has already answered, per cluster. An event counts as handled
 * for a cluster once the service published an outcome (any event but progress) caused by it for
 * that cluster. The durable record is the service's own topic: the index is rebuilt from it at
 * start-up ({@code TopicReplayer}), so a redelivered or replayed event is skipped after a restart
 * too.
 */
public final class HandledEvents {
  private final Set<Key> handled = ConcurrentHashMap.newKeySet();

  /** True when an outcome caused by {@code eventId} was published for {@code cluster}. */
  public boolean contains(UUID eventId, String cluster) {
    return handled.contains(new Key(eventId, cluster));
  }

  /** Notes an event this service published; progress and uncaused events are ignored. */
  public void record(EventEnvelope published) {
    if (published.causationId() != null && published.eventType() != EventType.PROGRESS_REPORTED) {
      handled.add(new Key(published.causationId(), published.cluster()));
    }
  }

  /** Number of (event, cluster) pairs known, for metrics and tests. */
  public int size() {
    return handled.size();
  }

  private record Key(UUID eventId, String cluster) {
    Key {
      Objects.requireNonNull(eventId);
    }
  }
}
