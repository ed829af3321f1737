package io.meshorch.lb.application;

import io.meshorch.lb.domain.MetalLbRelease;
import java.time.Duration;
import java.util.Objects;

/**
 * How the load-balancer step runs.
 *
 * @param release the MetalLB release to install
 * @param pinFirstAddress whether to pin the mesh endpoint to the first address of the pool
 * @param controllerTimeout how long to wait for MetalLB's controller to become available
 * @param webhookTimeout how long to keep writing the pool while the API server cannot call
 *     MetalLB's webhook yet
 * @param ipTimeout how long to wait for MetalLB to assign the Service an IP
 */
public record LbStepSettings(
    MetalLbRelease release,
    boolean pinFirstAddress,
    Duration controllerTimeout,
    Duration webhookTimeout,
    Duration ipTimeout) {

  public LbStepSettings {
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(controllerTimeout, "controllerTimeout");
    Objects.requireNonNull(webhookTimeout, "webhookTimeout");
    Objects.requireNonNull(ipTimeout, "ipTimeout");
  }
}
