package io.meshorch.cni.application;

import io.meshorch.cni.domain.CiliumRelease;
import java.time.Duration;
import java.util.Objects;

/**
 * How the CNI step runs.
 *
 * @param release the Cilium release to install
 * @param readyTimeout how long to wait for the agents, the operator and the mesh control plane
 *     ({@code mesh.cilium.ready-timeout})
 */
public record CniStepSettings(CiliumRelease release, Duration readyTimeout) {

  public CniStepSettings {
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
  }
}
