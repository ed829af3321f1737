package io.meshorch.lb.application;

import io.meshorch.lb.domain.MetalLbRelease;
import java.time.Duration;
import java.util.Objects;

/**
 * How the load-balancer step runs.
 *
 * @param producer the service name stamped on published events
 * @param release the MetalLB release to install
 * @param pinFirstAddress whether to pin the mesh endpoint to the first address of the pool
 * @param controllerTimeout how long to wait for MetalLB's controller to become available
 * @param ipTimeout how long to wait for MetalLB to assign the Service an IP
 * @param pollInterval pause between two checks while waiting
 */
public record LbStepSettings(
    String producer,
    MetalLbRelease release,
    boolean pinFirstAddress,
    Duration controllerTimeout,
    Duration ipTimeout,
    Duration pollInterval) {

  public LbStepSettings {
    Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(controllerTimeout, "controllerTimeout");
    Objects.requireNonNull(ipTimeout, "ipTimeout");
    Objects.requireNonNull(pollInterval, "pollInterval");
  }
}
