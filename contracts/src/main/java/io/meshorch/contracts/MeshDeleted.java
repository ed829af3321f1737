package io.meshorch.contracts;

import java.util.List;

/**
 * Everything of the mesh is deleted: every cluster's parts ({@link ClusterDeleted}) and the mesh's
 * own secrets. The mesh ID is free again: a later {@link MeshRequested} builds it anew.
 *
 * @param clusters per cluster, what was deleted; empty when there was nothing to delete (an unknown
 *     mesh, or one deleted already): a second delete is a no-op
 * @param deleted what was deleted that belongs to the whole mesh (e.g. the mesh CA secret)
 */
public record MeshDeleted(List<DeletedCluster> clusters, List<ClusterDeleted.Resource> deleted)
    implements MeshEvent {

  public MeshDeleted {
    clusters = clusters == null ? List.of() : List.copyOf(clusters);
    deleted = deleted == null ? List.of() : List.copyOf(deleted);
  }

  /**
   * What was deleted of one cluster, all parts together.
   *
   * @param name the cluster name
   * @param deleted the resources, in the order the parts were deleted
   */
  public record DeletedCluster(String name, List<ClusterDeleted.Resource> deleted) {
    public DeletedCluster {
      deleted = List.copyOf(deleted);
    }
  }
}
