package io.meshorch.kit.step;

import io.meshorch.contracts.EventEnvelope;

/** What the kit offers a running step. */
public interface StepContext {

  /** The event that triggered the step. */
  EventEnvelope trigger();

  /** The step's name: the event its outcome answers and its cluster. */
  StepKey key();

  /** The stage reported in the step's progress and failures. */
  String stage();

  /**
   * Publishes a {@code ProgressReported} for humans and dashboards, best effort: a progress event
   * that cannot be published is logged, never a reason to fail the step.
   */
  void progress(String message);

  /**
   * Asks for the next {@link Step#advance} call now instead of after the pending re-check delay.
   * Safe from any thread (a watch callback, a process exit); coalesced when called repeatedly.
   */
  void nudge();

  /**
   * Ties {@code resource} (a watch, a subscription) to the step: it is closed when the step ends,
   * however it ends.
   */
  <T extends AutoCloseable> T keep(T resource);

  /**
   * Cancels this service's other steps of the trigger's mesh (of this step's cluster only, unless
   * this is a mesh-level step) that belong to another stage, e.g. the build steps of a mesh being
   * deleted. A cancelled step is ended after its call in progress, if any, with a terminal failure
   * {@code CANCELLED} naming {@code reason} (also when that call failed, since what it worked on is
   * going away; a call that completed the step publishes its outcome), so it counts as answered and
   * is never resumed. Idempotent.
   *
   * @return how many of those steps have not ended yet: wait until it is 0 before touching what
   *     they touch
   */
  int cancelOtherSteps(String reason);
}
