package io.meshorch.sandbox.core;

import java.util.List;
import java.util.Objects;

/**
 * Which mesh cluster a sandbox object belongs to: the cluster name of the mesh (what {@code
 * cluster.yml} calls {@code cluster_name}) and, when the sandbox knows it, the mesh ID.
 *
 * @param meshId the mesh, or null when the sandbox cannot tell (a cluster.yml of a node the cloud
 *     sandbox did not create)
 * @param cluster the cluster name within the mesh
 */
public record ClusterRef(String meshId, String cluster) {
  private static final String STACK_PREFIX = "mesh-";
  private static final String MESH_TAG = "mesh:";

  public ClusterRef {
    Objects.requireNonNull(cluster, "cluster");
  }

  /** A cluster known only by name. */
  public static ClusterRef named(String cluster) {
    return new ClusterRef(null, cluster);
  }

  /**
   * The cluster of a Heat stack the product created: named {@code mesh-<meshId>-<cluster>} and
   * tagged {@code mesh:<meshId>}. Without that tag the whole stack name is the cluster name.
   */
  public static ClusterRef ofStack(String stackName, List<String> tags) {
    for (String tag : tags) {
      if (tag.startsWith(MESH_TAG)) {
        String meshId = tag.substring(MESH_TAG.length());
        String prefix = STACK_PREFIX + meshId + "-";
        if (stackName.startsWith(prefix) && stackName.length() > prefix.length()) {
          return new ClusterRef(meshId, stackName.substring(prefix.length()));
        }
      }
    }
    return named(stackName);
  }

  /** This cluster with the mesh ID {@code meshId} when it has none yet. */
  public ClusterRef inMesh(String meshId) {
    return this.meshId != null || meshId == null ? this : new ClusterRef(meshId, cluster);
  }

  /** {@code <meshId>/<cluster>}, or the cluster name alone when the mesh is unknown. */
  @Override
  public String toString() {
    return meshId == null ? cluster : meshId + "/" + cluster;
  }
}
