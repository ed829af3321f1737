package io.meshorch.mesh.domain;

import io.meshorch.contracts.MeshFailed;
import java.util.List;
import java.util.UUID;

/** What the service must do next for a mesh; handed out once per mesh by {@link MeshLedger}. */
public sealed interface MeshAction {

  /** The mesh this action is about. */
  String meshId();

  /** The event to name as cause of the outcome. */
  UUID causationId();

  /**
   * Every cluster has its ports updated: connect all pairs and validate.
   *
   * @param meshId the mesh
   * @param members its clusters, sorted by name
   * @param causationId the eventId of the last {@code PortsUpdated} that completed the set
   */
  record Connect(String meshId, List<ClusterMember> members, UUID causationId)
      implements MeshAction {
    public Connect {
      members = List.copyOf(members);
    }
  }

  /**
   * A cluster of the mesh failed: publish this {@code MeshFailed}.
   *
   * @param meshId the mesh
   * @param failure the outcome to publish
   * @param causationId the eventId of the {@code ClusterFailed}
   */
  record Fail(String meshId, MeshFailed failure, UUID causationId) implements MeshAction {}
}
