package io.meshorch.contracts;

import java.util.List;

/**
 * A user asks to delete a mesh, or some clusters of it: everything its services created for them
 * (Heat stacks, the allowed-address pairs the mesh added, RKE state, kubeconfigs, and for a whole
 * mesh its CA and keys). Published on {@code mesh.requests} with the mesh ID as key, like {@link
 * MeshRequested}; the envelope's {@code meshId} names the mesh and {@code cluster} is null. Each
 * service undoes its own part ({@link ClusterDeleted} per cluster and part).
 *
 * <p>Whole mesh ({@code clusters} absent): mesh-service answers {@link MeshDeleted} (also at once
 * when the mesh is unknown or deleted already) or {@link MeshFailed} with stage {@code delete}.
 *
 * <p>Some clusters ({@code up --prune}): the mesh stays; each named cluster ends with its last part
 * ({@link ClusterDeleted} part {@code kubernetes}), also when nothing of it is left, or with {@link
 * ClusterFailed} stage {@code delete}. No {@link MeshDeleted} follows. Disconnecting the survivors
 * is not part of it: a {@link MeshRequested} without the clusters does that.
 *
 * @param clusters the names of the clusters to delete; null (absent on the wire, as in events of
 *     earlier producers) deletes the whole mesh; never empty
 */
public record MeshDeleteRequested(List<String> clusters) implements MeshEvent {

  public MeshDeleteRequested {
    if (clusters != null) {
      if (clusters.isEmpty()) {
        throw new IllegalArgumentException("clusters: absent for the whole mesh, or not empty");
      }
      clusters = List.copyOf(clusters);
    }
  }

  /** The deletion of the whole mesh. */
  public MeshDeleteRequested() {
    this(null);
  }
}
