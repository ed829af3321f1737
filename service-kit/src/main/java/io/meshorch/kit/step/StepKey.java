package io.meshorch.kit.step;

import java.util.Objects;
import java.util.UUID;

/**
 * Names one step: the event its outcome answers and the cluster it is for. The outcome event
 * carries the same pair as {@code causationId} and {@code cluster}, which is how a replay of the
 * service's own topic tells finished steps from started ones.
 *
 * @param causationId the {@code eventId} the step's outcome answers (usually the trigger's)
 * @param cluster the cluster, or null for a mesh-level step
 */
public record StepKey(UUID causationId, String cluster) {
  public StepKey {
    Objects.requireNonNull(causationId, "causationId");
  }

  @Override
  public String toString() {
    return (cluster == null ? "(mesh)" : cluster) + "@" + causationId;
  }
}
