package io.meshorch.infra.domain;

import java.util.Objects;

/**
 * The deterministic names of what infra-service creates for one cluster of a mesh. Names derive
 * from the mesh ID and cluster name only, so that a redelivered request finds what an earlier
 * attempt created instead of creating it again.
 *
 * @param meshId the mesh
 * @param cluster the cluster name within the mesh
 */
public record ClusterStack(String meshId, String cluster) {

  public ClusterStack {
    Objects.requireNonNull(meshId, "meshId");
    Objects.requireNonNull(cluster, "cluster");
  }

  /** The Heat stack name, {@code mesh-<meshId>-<cluster>}. */
  public String stackName() {
    return "mesh-" + meshId + "-" + cluster;
  }

  /** The VM (and Kubernetes node) name of node {@code index}; node 0 is the control plane. */
  public String nodeName(int index) {
    return stackName() + "-node-" + index;
  }

  /** The tag every resource of the mesh carries, {@code mesh:<meshId>}. */
  public String meshTag() {
    return "mesh:" + meshId;
  }
}
