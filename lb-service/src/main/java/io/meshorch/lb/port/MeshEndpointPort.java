package io.meshorch.lb.port;

import io.meshorch.lb.domain.MeshEndpointService;
import java.util.Optional;

/** The LoadBalancer Service of Cilium's mesh control plane in a cluster. */
public interface MeshEndpointPort {

  /**
   * Creates the Service, or turns an existing one into a LoadBalancer with the mesh port and the
   * wanted annotations while keeping its other fields. Idempotent.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  void ensureService(String kubeconfigRef, MeshEndpointService service);

  /**
   * The IP in {@code status.loadBalancer.ingress[0].ip} of the Service, or empty while it has none
   * (or the Service does not exist). Reads only.
   */
  Optional<String> assignedIp(String kubeconfigRef);
}
