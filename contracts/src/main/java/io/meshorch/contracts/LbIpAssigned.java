package io.meshorch.contracts;

import java.util.List;

/**
 * MetalLB gave the cluster's mesh control plane (Service {@code clustermesh-apiserver}) an external
 * IP from the cluster's pool.
 *
 * @param cluster the cluster's spec
 * @param nodes the VMs (their ports must allow the IP: layer 2 may move it between nodes)
 * @param kubeconfigRef secret-store reference of the admin kubeconfig
 * @param meshEndpointIp the LoadBalancer IPv4 address of the mesh control plane
 * @param meshEndpointPort its TCP port (2379)
 */
public record LbIpAssigned(
    ClusterSpec cluster,
    List<NodeInfo> nodes,
    String kubeconfigRef,
    String meshEndpointIp,
    int meshEndpointPort)
    implements MeshEvent {

  public LbIpAssigned {
    nodes = List.copyOf(nodes);
  }
}
