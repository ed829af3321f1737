package io.meshorch.cni.port;

import io.meshorch.cni.domain.MeshCa;

/** The CA shared by every cluster of a mesh. */
public interface MeshCaPort {

  /**
   * The CA of {@code meshId}, generated and stored on first use. Atomic: handlers of several
   * clusters of one mesh asking at the same time all get the same CA; asking again returns it
   * unchanged.
   *
   * @throws io.meshorch.kit.failure.StepFailure {@code MESH_CA_INVALID} (terminal) when the stored
   *     value is not a CA certificate plus key
   */
  MeshCa ensure(String meshId);
}
