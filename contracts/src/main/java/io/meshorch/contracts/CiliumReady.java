package io.meshorch.contracts;

import java.util.List;

/**
 * Cilium is installed as the cluster's CNI with its cluster name, ID, pod CIDR and the mesh's
 * shared CA; its agents are ready on every node.
 *
 * @param cluster the cluster's spec
 * @param nodes the VMs
 * @param kubeconfigRef secret-store reference of the admin kubeconfig
 * @param ciliumVersion the Cilium version installed, e.g. {@code 1.18.2}
 */
public record CiliumReady(
    ClusterSpec cluster, List<NodeInfo> nodes, String kubeconfigRef, String ciliumVersion)
    implements MeshEvent {

  public CiliumReady {
    nodes = List.copyOf(nodes);
  }
}
