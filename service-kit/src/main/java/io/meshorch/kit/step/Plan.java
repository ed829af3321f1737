package io.meshorch.kit.step;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/** What an incoming event starts, as decided by its {@link StepRoute}. */
public sealed interface Plan {

  /** The event asks nothing of this service (e.g. a mesh that is not complete yet). */
  static Plan nothing() {
    return Nothing.INSTANCE;
  }

  /**
   * The event is answered at once with {@code outcome} (e.g. a rejection), published for the
   * event's cluster with the event as its cause; no step runs.
   */
  static Plan answer(MeshEvent outcome) {
    return new Answer(outcome);
  }

  /** The event starts these steps, each run to its end independently. */
  static Plan steps(List<Planned> steps) {
    return new Steps(List.copyOf(steps));
  }

  /** The event starts one step for its own cluster, answering the event itself. */
  static Plan step(EventEnvelope event, Supplier<Step> step) {
    return steps(List.of(new Planned(new StepKey(event.eventId(), event.cluster()), step)));
  }

  /**
   * One step an event starts.
   *
   * @param key the step's name; its outcome is published with this cause and cluster
   * @param step makes the step; called only when the step is not finished nor running already
   */
  record Planned(StepKey key, Supplier<Step> step) {
    public Planned {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(step, "step");
    }

    /** A step for {@code cluster} answering {@code causationId}. */
    public static Planned of(UUID causationId, String cluster, Supplier<Step> step) {
      return new Planned(new StepKey(causationId, cluster), step);
    }
  }

  /** See {@link #nothing()}. */
  enum Nothing implements Plan {
    INSTANCE
  }

  /** See {@link #answer}. */
  record Answer(MeshEvent outcome) implements Plan {
    public Answer {
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /** See {@link #steps}. */
  record Steps(List<Planned> steps) implements Plan {}
}
