package io.meshorch.cni.application;

import io.meshorch.cni.domain.CiliumRelease;
import java.time.Duration;
import java.util.Objects;

/**
 * How the CNI step runs.
 *
 * @param producer the service name stamped on published events
 * @param release the Cilium release to install
 * @param readyTimeout how long to wait for the agents, the operator and the mesh control plane
 * @param pollInterval pause between two status reads while waiting
 */
public record CniStepSettings(
    String producer, CiliumRelease release, Duration readyTimeout, Duration pollInterval) {

  public CniStepSettings {
    Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
    Objects.requireNonNull(pollInterval, "pollInterval");
  }
}
