package io.meshorch.mesh.application;

import io.meshorch.kit.retry.Backoff;
import java.time.Duration;
import java.util.Objects;

/**
 * How mesh-service connects and validates.
 *
 * @param producer the service name stamped on published events
 * @param pollInterval pause between two rounds of agent reports
 * @param timeout how long the agents may take to see every remote node before MeshFailed
 * @param backoff retries of writes to a cluster's API that failed transiently
 */
public record MeshSettings(
    String producer, Duration pollInterval, Duration timeout, Backoff backoff) {
  public MeshSettings {
    Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(backoff, "backoff");
  }
}
