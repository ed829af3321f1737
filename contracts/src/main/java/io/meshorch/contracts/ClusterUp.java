package io.meshorch.contracts;

import java.util.List;

/**
 * Kubernetes runs on the cluster's VMs (without a CNI yet, so nodes are NotReady).
 *
 * @param cluster the cluster's spec
 * @param nodes the VMs, as in {@link VmsReady}
 * @param apiServerUrl the Kubernetes API server URL (not a secret)
 * @param kubeconfigRef reference into the secret store where the admin kubeconfig is kept; the
 *     kubeconfig itself never travels on the bus
 */
public record ClusterUp(
    ClusterSpec cluster, List<NodeInfo> nodes, String apiServerUrl, String kubeconfigRef)
    implements MeshEvent {

  public ClusterUp {
    nodes = List.copyOf(nodes);
  }
}
