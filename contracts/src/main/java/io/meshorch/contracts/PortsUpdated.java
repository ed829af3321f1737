package io.meshorch.contracts;

import java.util.List;

/**
 * Every node port of the cluster allows the mesh endpoint IP (Neutron allowed-address-pairs), so
 * traffic to the LoadBalancer IP passes OpenStack's anti-spoofing.
 *
 * @param cluster the cluster's spec
 * @param nodes the VMs
 * @param kubeconfigRef secret-store reference of the admin kubeconfig
 * @param meshEndpointIp the mesh control plane's LoadBalancer IP
 * @param meshEndpointPort its TCP port
 * @param portIds the Neutron ports that now allow the IP
 */
public record PortsUpdated(
    ClusterSpec cluster,
    List<NodeInfo> nodes,
    String kubeconfigRef,
    String meshEndpointIp,
    int meshEndpointPort,
    List<String> portIds)
    implements MeshEvent {

  public PortsUpdated {
    nodes = List.copyOf(nodes);
    portIds = List.copyOf(portIds);
  }
}
