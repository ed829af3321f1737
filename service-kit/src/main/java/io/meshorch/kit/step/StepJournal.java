package io.meshorch.kit.step;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.StepStarted;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Which steps this service started and which it finished, read from what it published on its own
 * topic: a {@code StepStarted} starts a step, any other event but progress with a cause finishes
 * the step of that cause and cluster, and a progress that names a wait ({@code waitingFor}) says
 * since when the step waits for what. Fed live by the publisher and rebuilt by replaying the own
 * topic whenever partitions are assigned, so it survives restarts and moves between replicas.
 */
public final class StepJournal {
  /** A step recorded as started, with where its trigger record is. */
  public record Started(StepKey key, StepStarted event) {}

  /**
   * A wait a step began.
   *
   * @param name what it waits for ({@link Wait#name})
   * @param since when the wait began
   */
  public record Waiting(String name, Instant since) {}

  private final Map<StepKey, Started> started = new ConcurrentHashMap<>();
  private final Map<StepKey, Waiting> waits = new ConcurrentHashMap<>();
  private final Set<StepKey> finished = ConcurrentHashMap.newKeySet();
  private final List<Consumer<EventEnvelope>> observers;

  /** A journal only. */
  public StepJournal() {
    this(List.of());
  }

  /**
   * A journal that also shows every event it records to {@code observers}: a service's memory of
   * what it did (e.g. which clusters of a mesh it built), rebuilt from its own topic like the
   * journal. Observers see events again on every replay, so they must keep facts, not counts.
   */
  public StepJournal(List<Consumer<EventEnvelope>> observers) {
    this.observers = List.copyOf(observers);
  }

  /** Takes an event this service published (live or replayed) into account. */
  public void record(EventEnvelope published) {
    observers.forEach(o -> o.accept(published));
    if (published.causationId() == null) {
      return;
    }
    StepKey key = new StepKey(published.causationId(), published.cluster());
    if (published.payload() instanceof ProgressReported p) {
      if (p.waitingFor() != null) {
        Waiting begun = new Waiting(p.waitingFor(), published.occurredAt());
        waits.merge(key, begun, (a, b) -> b.since().isAfter(a.since()) ? b : a);
      }
    } else if (published.payload() instanceof StepStarted s) {
      started.putIfAbsent(key, new Started(key, s));
    } else {
      finished.add(key);
    }
  }

  /** True when an outcome (or failure) for {@code cluster} answering {@code causationId} exists. */
  public boolean finished(UUID causationId, String cluster) {
    return finished.contains(new StepKey(causationId, cluster));
  }

  /** True when the step's outcome exists. */
  public boolean finished(StepKey key) {
    return finished.contains(key);
  }

  /** True when a {@code StepStarted} for the step exists. */
  public boolean started(StepKey key) {
    return started.containsKey(key);
  }

  /** The latest wait the step began, if it published one. */
  public Optional<Waiting> waiting(StepKey key) {
    return Optional.ofNullable(waits.get(key));
  }

  /** The steps started and not finished, in no particular order. */
  public List<Started> unfinished() {
    return started.values().stream().filter(s -> !finished.contains(s.key())).toList();
  }
}
