package io.meshorch.contracts;

import java.util.List;

/**
 * The VMs of one cluster exist and are reachable at the network level (the Heat stack reached
 * CREATE_COMPLETE). Emitted by infra-service once per cluster; the envelope names the cluster.
 *
 * @param cluster the cluster's spec, carried on for the next services
 * @param stackId the Heat stack ID that owns the VMs
 * @param nodes the VMs, first one designated control plane
 */
public record VmsReady(ClusterSpec cluster, String stackId, List<NodeInfo> nodes)
    implements MeshEvent {

  public VmsReady {
    nodes = List.copyOf(nodes);
  }
}
