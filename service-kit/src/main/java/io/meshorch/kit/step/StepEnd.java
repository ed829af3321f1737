package io.meshorch.kit.step;

/** How a step ended. */
public enum StepEnd {
  /** Its outcome was published. */
  COMPLETED,
  /** Its failure was published: it gave up. */
  FAILED,
  /** The service stops or lost the trigger's partition: the step is resumed later, not failed. */
  STOPPED
}
