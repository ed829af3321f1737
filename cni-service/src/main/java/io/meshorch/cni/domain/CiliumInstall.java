package io.meshorch.cni.domain;

import java.util.Map;
import java.util.Objects;

/**
 * Everything one cluster's Cilium is rendered from: the cluster's values, the API server endpoint,
 * the mesh CA and the cluster's clustermesh-apiserver certificates. Holds secrets: {@link
 * #toString()} shows none.
 *
 * @param cluster name, ID and pod CIDR
 * @param apiServer the chart's {@code k8sServiceHost}/{@code k8sServicePort}
 * @param ca the mesh's shared CA
 * @param certs the cluster's clustermesh-apiserver certificates, issued from {@code ca}
 */
public record CiliumInstall(
    CiliumValues cluster, ApiServerEndpoint apiServer, MeshCa ca, ClusterMeshCertificates certs) {

  public CiliumInstall {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(apiServer, "apiServer");
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(certs, "certs");
  }

  /** The chart's values, see {@link CiliumValues#helmValues}. */
  public Map<String, Object> helmValues() {
    return cluster.helmValues(apiServer, ca, certs);
  }

  @Override
  public String toString() {
    return "CiliumInstall[" + cluster + ", " + apiServer + ", CA and certificates redacted]";
  }
}
