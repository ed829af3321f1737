package io.meshorch.lb.port;

import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.lb.domain.PoolWrite;

/**
 * Installs and configures MetalLB in a cluster reached through its stored kubeconfig. Every method
 * is one bounded round of API calls; none waits for the cluster to change.
 */
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
   * Whether the controller Deployment (which serves MetalLB's validating webhook) has at least one
   * available replica. False while it does not exist. Reads only.
   *
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  boolean controllerAvailable(String kubeconfigRef);

  /**
   * Watches the controller Deployment: {@code onChange} runs on every change of it (from a shared
   * callback thread; it must be quick, e.g. a step's nudge). A watch that breaks only stops the
   * callbacks: callers keep re-checking on their own schedule.
   *
   * @return closes the watch and its connection (closing again does nothing); close it when no
   *     longer waiting
   * @throws io.meshorch.kit.failure.StepFailure when the kubeconfig is missing or invalid
   */
  AutoCloseable watchController(String kubeconfigRef, Runnable onChange);

  /**
   * Creates or updates the {@code IPAddressPool} and its {@code L2Advertisement}, then reads the
   * pool back (MetalLB drops invalid configuration silently, so the result is checked, not the
   * write). Call it only once the controller is available: its webhook validates these objects.
   * Idempotent: fixed names, create-or-update.
   *
   * @return {@link PoolWrite.Stored} with the stored addresses, or {@link PoolWrite.NotServedYet}
   *     when the API server could not call MetalLB's webhook (try again later)
   * @throws io.meshorch.kit.failure.StepFailure other classified Kubernetes API errors, e.g. a
   *     webhook that denies the pool ({@code KUBE_API_REJECTED})
   */
  PoolWrite configurePool(String kubeconfigRef, AddressPoolSpec pool);
}
