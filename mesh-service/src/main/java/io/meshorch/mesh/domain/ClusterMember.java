package io.meshorch.mesh.domain;

import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.PortsUpdated;
import java.util.List;
import java.util.Objects;

/**
 * A cluster of a mesh that is ready to be connected, as its {@code PortsUpdated} described it.
 *
 * @param name the Cilium cluster name
 * @param id the Cilium cluster ID
 * @param kubeconfigRef secret-store reference of its admin kubeconfig (a reference, not a secret)
 * @param meshEndpointIp the LoadBalancer IP of its clustermesh-apiserver
 * @param meshEndpointPort its port
 * @param nodes its Kubernetes node names (the VM names), sorted
 */
public record ClusterMember(
    String name,
    int id,
    String kubeconfigRef,
    String meshEndpointIp,
    int meshEndpointPort,
    List<String> nodes) {

  public ClusterMember {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kubeconfigRef, "kubeconfigRef");
    Objects.requireNonNull(meshEndpointIp, "meshEndpointIp");
    nodes = nodes.stream().sorted().toList();
  }

  /** The member described by {@code event}. */
  public static ClusterMember of(PortsUpdated event) {
    return new ClusterMember(
        event.cluster().name(),
        event.cluster().id() == null ? 0 : event.cluster().id(),
        event.kubeconfigRef(),
        event.meshEndpointIp(),
        event.meshEndpointPort(),
        event.nodes().stream().map(NodeInfo::name).toList());
  }

  /** How the other clusters reach this one. */
  public RemoteCluster asRemote() {
    return new RemoteCluster(name, meshEndpointIp, meshEndpointPort);
  }
}
