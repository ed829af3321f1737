package io.meshorch.lb.domain;

import java.util.Objects;

/**
 * Why Service {@code kube-system/clustermesh-apiserver} cannot be the mesh endpoint: it does not
 * exist, or it is not of type LoadBalancer. lb-service never creates nor retypes that Service: it
 * is Cilium's, and cni-service installs it from the Cilium chart with {@code
 * clustermesh.apiserver.service.type=LoadBalancer}.
 *
 * @param code the failure code once the wait for a fitting Service has passed its bound ({@link
 *     #MISSING} or {@link #NOT_LOAD_BALANCER})
 * @param seen what was seen, e.g. {@code Service kube-system/clustermesh-apiserver does not exist}
 * @param check what the user should check, with the command that shows it
 */
public record EndpointDefect(String code, String seen, String check) {
  /** Code of a Service that does not exist. */
  public static final String MISSING = "MESH_ENDPOINT_MISSING";

  /** Code of a Service whose {@code spec.type} is not LoadBalancer. */
  public static final String NOT_LOAD_BALANCER = "MESH_ENDPOINT_NOT_LOADBALANCER";

  /** The rule the Service must follow, said in every failure. */
  public static final String RULE =
      "It is Cilium's mesh endpoint: cni-service installs it from the Cilium chart"
          + " (clustermesh.useAPIServer=true, clustermesh.apiserver.service.type=LoadBalancer) and"
          + " lb-service never creates or changes it; it must exist and be of type "
          + MeshEndpointService.TYPE
          + ".";

  private static final String SERVICE =
      "Service " + MeshEndpointService.NAMESPACE + "/" + MeshEndpointService.NAME;
  private static final String GET =
      "kubectl -n " + MeshEndpointService.NAMESPACE + " get service " + MeshEndpointService.NAME;

  public EndpointDefect {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(seen, "seen");
    Objects.requireNonNull(check, "check");
  }

  /** The Service does not exist. */
  public static EndpointDefect missing() {
    return new EndpointDefect(
        MISSING,
        SERVICE + " does not exist",
        "check that Cilium in this cluster was installed by cni-service (its CiliumReady names this"
            + " cluster) or from the chart with these values, and that nothing deleted the"
            + " Service ("
            + GET
            + ").");
  }

  /** The Service is of type {@code type}. */
  public static EndpointDefect notLoadBalancer(String type) {
    return new EndpointDefect(
        NOT_LOAD_BALANCER,
        SERVICE
            + " has spec.type "
            + type
            + ", expected spec.type "
            + MeshEndpointService.TYPE
            + " (MetalLB gives IPs only to LoadBalancer Services)",
        "check the value of clustermesh.apiserver.service.type Cilium was installed with (the"
            + " chart's default is NodePort) and that nothing changed the Service ("
            + GET
            + " -o jsonpath='{.spec.type}').");
  }

  /**
   * The reason of the step's failure once the Service still looks like this after {@code waited}
   * (e.g. {@code 1m (mesh.metallb.endpoint-timeout)}).
   */
  public String failure(String waited) {
    return seen + " (still after " + waited + "). " + RULE + " To fix: " + check;
  }
}
