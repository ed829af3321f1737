package io.meshorch.contracts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A user asks for a cluster mesh. Published on {@code mesh.requests} with the mesh ID as key; the
 * envelope's {@code meshId} names the mesh. Validated once by infra-service, which answers {@link
 * MeshRejected} or starts building.
 *
 * <p>Product limits (see {@code MeshRequestValidator}): at most 32 clusters and 256 nodes per mesh,
 * 100 nodes per cluster, 256 KiB of JSON payload.
 *
 * @param clusters the clusters of the mesh, each built in parallel; never null on the wire after
 *     decoding (missing becomes empty so that validation can name it)
 * @param kubernetes optional: the Kubernetes distribution and version of every cluster that does
 *     not name its own ({@link ClusterSpec#kubernetes()}); null: RKE1 at rke-service's configured
 *     version
 */
public record MeshRequested(List<ClusterSpec> clusters, KubernetesSpec kubernetes)
    implements MeshEvent {

  /** Keeps null entries (so validation can point at them) but makes the list unmodifiable. */
  public MeshRequested {
    clusters =
        clusters == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(clusters));
  }

  /** A request without a mesh-wide Kubernetes choice (every cluster's own, else RKE1). */
  public MeshRequested(List<ClusterSpec> clusters) {
    this(clusters, null);
  }
}
