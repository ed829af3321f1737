package io.meshorch.lb.port;

import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.MetalLbRelease;
import java.time.Duration;
import java.util.List;

/** Installs and configures MetalLB in a cluster reached through its stored kubeconfig. */
public interface MetalLbPort {

  /**
   * Creates or updates MetalLB's namespace, CRDs, service accounts, RBAC, controller Deployment and
   * speaker DaemonSet. Idempotent: fixed names, create-or-update; running it on an installed
   * cluster changes nothing but the images when the release differs.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  void install(String kubeconfigRef, MetalLbRelease release);

  /**
   * Waits until the controller (which serves MetalLB's validating webhook) is available, then
   * creates or updates the {@code IPAddressPool} and its {@code L2Advertisement}, retrying webhook
   * connection errors with bounded back-off, and reads the pool back. Never writes the pool while
   * the controller is unavailable. Idempotent.
   *
   * @param controllerTimeout how long to wait for the controller to become available
   * @return the pool's {@code spec.addresses} as stored in the cluster after the write
   * @throws io.meshorch.kit.failure.TransientFailure {@code METALLB_CONTROLLER_NOT_READY} when the
   *     controller is not available in time; classified API errors otherwise
   */
  List<String> configurePool(
      String kubeconfigRef, AddressPoolSpec pool, Duration controllerTimeout);
}
