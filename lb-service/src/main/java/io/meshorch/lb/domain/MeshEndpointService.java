package io.meshorch.lb.domain;

import java.util.Map;
import java.util.Optional;

/**
 * The Service that exposes Cilium's mesh control plane (the clustermesh-apiserver) through MetalLB:
 * {@code kube-system/clustermesh-apiserver}, type LoadBalancer, TCP {@value #PORT} named {@value
 * #PORT_NAME}.
 *
 * @param pinnedIp the IP requested through annotation {@value #PIN_ANNOTATION}, or empty to let
 *     MetalLB choose
 */
public record MeshEndpointService(Optional<String> pinnedIp) {
  /** Namespace of the Service. */
  public static final String NAMESPACE = "kube-system";

  /** Name of the Service (the one Cilium's chart uses). */
  public static final String NAME = "clustermesh-apiserver";

  /** Service type the endpoint needs. */
  public static final String TYPE = "LoadBalancer";

  /** TCP port of the mesh control plane (etcd protocol). */
  public static final int PORT = 2379;

  /** Name of the Service port. */
  public static final String PORT_NAME = "apiserv";

  /** MetalLB's annotation that pins a Service to given IPs. */
  public static final String PIN_ANNOTATION = "metallb.io/loadBalancerIPs";

  /** The pod selector: the clustermesh-apiserver pods cni-service deploys. */
  public static final Map<String, String> SELECTOR = Map.of("k8s-app", "clustermesh-apiserver");

  public MeshEndpointService {
    pinnedIp = pinnedIp == null ? Optional.empty() : pinnedIp;
  }

  /** The endpoint for {@code pool}, pinned to its first address when {@code pinFirstAddress}. */
  public static MeshEndpointService forPool(AddressPoolSpec pool, boolean pinFirstAddress) {
    return new MeshEndpointService(
        pinFirstAddress ? Optional.of(pool.firstAddress()) : Optional.empty());
  }

  /** Annotations the Service must carry. */
  public Map<String, String> annotations() {
    return pinnedIp.map(ip -> Map.of(PIN_ANNOTATION, ip)).orElse(Map.of());
  }
}
