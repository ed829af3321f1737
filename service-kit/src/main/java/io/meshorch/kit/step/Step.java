package io.meshorch.kit.step;

/**
 * One long piece of work for one cluster (or one mesh), written as a reconciler: each call of
 * {@link #advance} looks at the world, does the next bounded piece of work (API calls with
 * timeouts, never a wait), and says what comes next. The kit calls it again after the wait it asks
 * for, at once after a {@link StepContext#nudge() nudge}, or after a back-off when it threw a
 * {@link io.meshorch.kit.failure.TransientFailure}; never two calls at once. Between calls a step
 * costs no thread.
 *
 * <p>A step may keep state in fields (the phase it is in, a process it started), but must converge
 * when created afresh for the same trigger after a restart: every effect looks before it acts.
 */
public interface Step {

  /**
   * Does the next piece of work.
   *
   * @return {@link Next#done} with the outcome to publish, {@link Next#waitFor} to be called again
   *     after a re-check delay, or {@link Next#again()} to be called again at once
   * @throws io.meshorch.kit.failure.TerminalFailure to give up at once (reported as a failure that
   *     retrying will not fix)
   * @throws io.meshorch.kit.failure.TransientFailure to be called again after a back-off; the kit
   *     gives up after the configured number of attempts within one phase (the same wait, or the
   *     calls leading to the next one), even when the retrying calls return normally
   */
  Next advance(StepContext context);

  /**
   * The step ended: its outcome or failure was published, or the service stops (the step will be
   * resumed on the next start). Releases what the step holds beyond {@link StepContext#keep}. Must
   * not throw.
   */
  default void ended(StepEnd end) {}
}
