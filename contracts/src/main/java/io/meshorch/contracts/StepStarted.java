package io.meshorch.contracts;

import java.util.Objects;

/**
 * A service took up a step and will see it through, even across its own restarts. Published on the
 * service's own topic before the record that triggered the step is acknowledged, so the step
 * outlives that acknowledgement: on start, a service resumes every step it has a {@code
 * StepStarted} for and no outcome (any event but progress caused by the same trigger for the same
 * cluster). The envelope's {@code causationId} is the trigger's {@code eventId}, its {@code
 * cluster} the cluster of the step (null for a mesh-level step). Dashboards can read it as "stage
 * begun".
 *
 * @param stage the step, one of {@link Stage}'s names
 * @param triggerTopic the topic of the record that triggered the step
 * @param triggerPartition its partition
 * @param triggerOffset its offset: where a resuming service reads the trigger again
 */
public record StepStarted(
    String stage, String triggerTopic, int triggerPartition, long triggerOffset)
    implements MeshEvent {

  /** Requires the stage and the trigger's coordinates. */
  public StepStarted {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(triggerTopic, "triggerTopic");
    if (triggerPartition < 0 || triggerOffset < 0) {
      throw new IllegalArgumentException(
          "trigger coordinates must not be negative, found "
              + triggerPartition
              + "@"
              + triggerOffset);
    }
  }
}
