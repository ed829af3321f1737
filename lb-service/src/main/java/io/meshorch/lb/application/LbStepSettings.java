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
 * @param endpointTimeout how long to wait for Cilium's Service {@code
 *     kube-system/clustermesh-apiserver} to exist with type LoadBalancer before the step fails
 *     terminally
 * @param ipTimeout how long to wait for MetalLB to assign the Service an IP
 */
public record LbStepSettings(
    MetalLbRelease release,
    boolean pinFirstAddress,
    Duration controllerTimeout,
    Duration webhookTimeout,
    Duration endpointTimeout,
    Duration ipTimeout) {

  public LbStepSettings {
    Objects.requireNonNull(release, "release");
    Objects.requireNonNull(controllerTimeout, "controllerTimeout");
    Objects.requireNonNull(webhookTimeout, "webhookTimeout");
    Objects.requireNonNull(endpointTimeout, "endpointTimeout");
    Objects.requireNonNull(ipTimeout, "ipTimeout");
  }
}
