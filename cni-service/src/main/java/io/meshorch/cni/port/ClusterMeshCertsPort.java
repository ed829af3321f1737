package io.meshorch.cni.port;

import io.meshorch.cni.domain.ClusterMeshCertificates;
import io.meshorch.cni.domain.MeshCa;

/** The clustermesh-apiserver certificates of each cluster of a mesh, issued from the mesh CA. */
public interface ClusterMeshCertsPort {

  /**
   * The certificates of {@code cluster} in {@code meshId}, issued from {@code ca} on first use and
   * kept; later calls return the kept ones unchanged (never issued again), so a re-render of the
   * chart writes the same Secrets. Atomic: concurrent first calls end up with the set stored first.
   *
   * @throws io.meshorch.kit.failure.StepFailure {@code CLUSTERMESH_CERTS_INVALID} (terminal) when
   *     the kept value is unreadable or was not issued by {@code ca}; {@code
   *     SECRET_STORE_UNAVAILABLE} (retryable)
   */
  ClusterMeshCertificates ensure(String meshId, String cluster, MeshCa ca);
}
