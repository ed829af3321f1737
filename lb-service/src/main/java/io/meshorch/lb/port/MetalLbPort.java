package io.meshorch.lb.port;

import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.PoolWrite;
import java.util.Optional;

/**
 * Installs and configures MetalLB in a cluster reached through its stored kubeconfig. Every method
 * is one bounded round of API calls; none waits for the cluster to change.
 */
public interface MetalLbPort {

  /**
   * Applies every object of MetalLB's pinned manifests (server-side apply, lb-service's field
   * manager, Helm release {@code metallb}): namespace, CRDs, RBAC, the webhook's Secret, Service
   * and configuration, controller Deployment and speaker DaemonSet. Idempotent: applying it again
   * on an installed cluster changes nothing, and fields the controller owns (the webhook
   * certificate, the {@code caBundle}) are left alone.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  void install(String kubeconfigRef);

  /**
   * What still keeps MetalLB's validating webhook from answering, or empty once it can: the
   * controller Deployment (which serves it) has an available replica, and the validating webhooks
   * of {@code IPAddressPool} and {@code L2Advertisement} carry the {@code caBundle} the controller
   * injects once it has written its serving certificate (when the manifests register those
   * webhooks). Reads only.
   *
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  Optional<String> webhookNotReady(String kubeconfigRef);

  /**
   * Watches the controller Deployment and the validating webhook configuration: {@code onChange}
   * runs on every change of either (from a shared callback thread; it must be quick, e.g. a step's
   * nudge). A watch that breaks only stops the callbacks: callers keep re-checking on their own
   * schedule.
   *
   * @return closes the watches and their connections (closing again does nothing); close it when no
   *     longer waiting
   * @throws io.meshorch.kit.failure.StepFailure when the kubeconfig is missing or invalid
   */
  AutoCloseable watchController(String kubeconfigRef, Runnable onChange);

  /**
   * Applies the {@code IPAddressPool} and its {@code L2Advertisement} (server-side apply,
   * lb-service's field manager), then reads the pool back (MetalLB drops invalid configuration
   * silently, so the result is checked, not the write). Call it only once {@link #webhookNotReady}
   * is empty: the webhook validates these objects. Idempotent: fixed names.
   *
   * @return {@link PoolWrite.Stored} with the stored addresses, or {@link PoolWrite.NotServedYet}
   *     when the API server could not call MetalLB's webhook (try again later)
   * @throws io.meshorch.kit.failure.StepFailure other classified Kubernetes API errors, e.g. a
   *     webhook that denies the pool ({@code KUBE_API_REJECTED})
   */
  PoolWrite configurePool(String kubeconfigRef, AddressPoolSpec pool);
}
