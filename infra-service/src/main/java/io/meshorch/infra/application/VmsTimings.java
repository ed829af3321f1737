package io.meshorch.infra.application;

import java.time.Duration;
import java.util.Objects;

/**
 * How long and how often the VM step waits.
 *
 * @param stackPollInterval pause between two reads of a stack in progress
 * @param stackTimeout longest wait for CREATE_COMPLETE, from the first read
 * @param consolePollInterval pause between two reads of a console without host keys yet
 * @param consoleTimeout longest wait for the host keys of all nodes of a cluster; when it passes
 *     the nodes are reported without fingerprints (rke-service then uses its known_hosts)
 */
public record VmsTimings(
    Duration stackPollInterval,
    Duration stackTimeout,
    Duration consolePollInterval,
    Duration consoleTimeout) {
  public VmsTimings {
    Objects.requireNonNull(stackPollInterval, "stackPollInterval");
    Objects.requireNonNull(stackTimeout, "stackTimeout");
    Objects.requireNonNull(consolePollInterval, "consolePollInterval");
    Objects.requireNonNull(consoleTimeout, "consoleTimeout");
  }

  /** An upper bound of one cluster's whole VM step, with a margin for the calls themselves. */
  public Duration clusterBound() {
    return stackTimeout.plus(consoleTimeout).plus(Duration.ofMinutes(1));
  }
}
