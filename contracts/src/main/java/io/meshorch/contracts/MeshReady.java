package io.meshorch.contracts;

import java.util.List;

/**
 * Every cluster of the mesh is connected to every other one and its Cilium agents see the nodes of
 * all the others.
 *
 * @param clusters one entry per cluster, with the node table it sees
 */
public record MeshReady(List<MeshClusterView> clusters) implements MeshEvent {

  public MeshReady {
    clusters = List.copyOf(clusters);
  }

  /**
   * What one cluster looks like once the mesh is ready.
   *
   * @param name the cluster name
   * @param id the Cilium cluster ID
   * @param nodes the cluster's own Kubernetes node names
   * @param meshEndpointIp the LoadBalancer IP of its mesh control plane
   * @param remoteNodes for every other cluster, the node names this cluster's agents see
   */
  public record MeshClusterView(
      String name,
      int id,
      List<String> nodes,
      String meshEndpointIp,
      List<RemoteNodes> remoteNodes) {

    public MeshClusterView {
      nodes = List.copyOf(nodes);
      remoteNodes = List.copyOf(remoteNodes);
    }
  }

  /**
   * The nodes of one remote cluster as seen by a local cluster's agents.
   *
   * @param cluster the remote cluster name
   * @param nodes its node names
   */
  public record RemoteNodes(String cluster, List<String> nodes) {

    public RemoteNodes {
      nodes = List.copyOf(nodes);
    }
  }
}
