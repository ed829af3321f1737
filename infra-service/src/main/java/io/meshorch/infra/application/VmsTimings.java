package io.meshorch.infra.application;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the VM step waits. How often it looks again is the kit's re-check back-off ({@code
 * mesh.service.recheck.*}), shared by every wait of the service.
 *
 * @param stackTimeout longest wait for CREATE_COMPLETE, from the first read of the stack in
 *     progress; then the step fails with the retryable {@code HEAT_STACK_TIMEOUT}
 * @param consoleTimeout longest wait for the host keys of all nodes of a cluster, from the moment
 *     the stack is complete; when it passes the nodes still lacking keys are reported without
 *     fingerprints (rke-service then uses its known_hosts)
 */
public record VmsTimings(Duration stackTimeout, Duration consoleTimeout) {
  /**
   * How much longer than {@link #consoleTimeout} the kit lets the console wait run before it fails
   * the step itself: a safety net only, the step ends the wait at its own deadline.
   */
  static final Duration CONSOLE_SAFETY_MARGIN = Duration.ofMinutes(1);

  public VmsTimings {
    Objects.requireNonNull(stackTimeout, "stackTimeout");
    Objects.requireNonNull(consoleTimeout, "consoleTimeout");
  }

  /** The bound the kit puts on the console wait: the step's own deadline plus a safety margin. */
  Duration consoleSafetyNet() {
    return consoleTimeout.plus(CONSOLE_SAFETY_MARGIN);
  }
}
