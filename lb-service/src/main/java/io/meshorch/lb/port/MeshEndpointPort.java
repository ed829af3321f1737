package io.meshorch.lb.port;

import io.meshorch.lb.domain.MeshEndpointService;
import java.util.Optional;

/** The LoadBalancer Service of Cilium's mesh control plane in a cluster. */
public interface MeshEndpointPort {

  /**
   * The {@code spec.type} of the Service ({@code ClusterIP}, Kubernetes' default, when it has
   * none), or empty when the Service does not exist. Reads only: the Service is Cilium's, installed
   * by cni-service from the chart, and is never created here.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  Optional<String> serviceType(String kubeconfigRef);

  /**
   * Applies the fields lb-service owns on the existing Service (the pin annotation, when pinning)
   * with its own field manager, leaving every other field to cni-service, which applies the Service
   * with the Cilium chart. Writes nothing when there is nothing to pin. Idempotent. Call it only
   * once {@link #serviceType} found the Service.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  void applyOwnedFields(String kubeconfigRef, MeshEndpointService service);

  /**
   * The IP in {@code status.loadBalancer.ingress[0].ip} of the Service, or empty while it has none
   * (or the Service does not exist). Reads only.
   *
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  Optional<String> assignedIp(String kubeconfigRef);

  /**
   * Watches the Service: {@code onChange} runs on every change of it, e.g. when it is created or
   * MetalLB writes its IP (from a shared callback thread; it must be quick, e.g. a step's nudge). A
   * watch that breaks only stops the callbacks: callers keep re-checking on their own schedule.
   *
   * @return closes the watch and its connection (closing again does nothing); close it when no
   *     longer waiting
   * @throws io.meshorch.kit.failure.StepFailure when the kubeconfig is missing or invalid
   */
  AutoCloseable watchService(String kubeconfigRef, Runnable onChange);
}
