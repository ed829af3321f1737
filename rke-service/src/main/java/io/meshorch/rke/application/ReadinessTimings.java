package io.meshorch.rke.application;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of the node readiness check.
 *
 * @param pollInterval pause between two checks of a node that is not ready yet
 * @param readyTimeout longest wait for one node to become ready
 * @param commandTimeout longest a single remote command may run ({@code cloud-init status --wait}
 *     blocks until cloud-init finished)
 */
public record ReadinessTimings(
    Duration pollInterval, Duration readyTimeout, Duration commandTimeout) {
  public ReadinessTimings {
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
  }
}
