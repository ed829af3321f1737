package io.meshorch.lb.domain;

import java.util.Map;
import java.util.Optional;

/**
 * The Service that exposes Cilium's mesh control plane (the clustermesh-apiserver) through MetalLB:
 * {@code kube-system/clustermesh-apiserver}, type LoadBalancer, TCP {@value #PORT}. It is Cilium's:
 * cni-service installs it from the Cilium chart; lb-service only checks it and adds its pin
 * annotation.
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

  /** MetalLB's annotation that pins a Service to given IPs. */
  public static final String PIN_ANNOTATION = "metallb.io/loadBalancerIPs";

  /** Kubernetes' default of {@code spec.type}, what a Service without one is. */
  public static final String DEFAULT_TYPE = "ClusterIP";

  public MeshEndpointService {
    pinnedIp = pinnedIp == null ? Optional.empty() : pinnedIp;
  }

  /** The endpoint for {@code pool}, pinned to its first address when {@code pinFirstAddress}. */
  public static MeshEndpointService forPool(AddressPoolSpec pool, boolean pinFirstAddress) {
    return new MeshEndpointService(
        pinFirstAddress ? Optional.of(pool.firstAddress()) : Optional.empty());
  }

  /**
   * What keeps the Service from being the mesh endpoint, seen with {@code type} as its {@code
   * spec.type} ({@link #DEFAULT_TYPE} when it has none; empty when the Service does not exist).
   *
   * @return empty when the Service exists and is of type {@value #TYPE}
   */
  public static Optional<EndpointDefect> defectOf(Optional<String> type) {
    if (type.isEmpty()) {
      return Optional.of(EndpointDefect.missing());
    }
    return TYPE.equals(type.get())
        ? Optional.empty()
        : Optional.of(EndpointDefect.notLoadBalancer(type.get()));
  }

  /** Annotations the Service must carry. */
  public Map<String, String> annotations() {
    return pinnedIp.map(ip -> Map.of(PIN_ANNOTATION, ip)).orElse(Map.of());
  }
}
