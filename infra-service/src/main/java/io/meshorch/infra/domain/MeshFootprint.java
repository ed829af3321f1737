package io.meshorch.infra.domain;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What infra-service created per mesh, as facts read from its own events: the clusters whose VM
 * step it started, the mesh endpoint IP it let through which ports, and the clusters whose VMs it
 * deleted. Facts carry their time, so their order and repetitions (replays) do not matter: a
 * cluster is live when it was built after it was last deleted. Thread-safe.
 */
public final class MeshFootprint {

  /**
   * The mesh endpoint IP infra-service added to the allowed-address pairs of {@code portIds}.
   *
   * @param ip the IP (the LB IP of the cluster's mesh control plane)
   * @param portIds the node ports
   */
  public record AddedPairs(String ip, List<String> portIds) {
    public AddedPairs {
      Objects.requireNonNull(ip, "ip");
      portIds = List.copyOf(portIds);
    }
  }

  /**
   * A live cluster of a mesh.
   *
   * @param name the cluster name
   * @param pairs the pairs added for it since it was last built, if any
   */
  public record LiveCluster(String name, Optional<AddedPairs> pairs) {}

  private static final class Facts {
    Instant built;
    Instant deleted;
    Instant pairsAt;
    AddedPairs pairs;

    boolean live() {
      return built != null && (deleted == null || built.isAfter(deleted));
    }
  }

  private final Map<String, Map<String, Facts>> meshes = new ConcurrentHashMap<>();

  /** A VM step of {@code cluster} was started at {@code at}. */
  public void built(String meshId, String cluster, Instant at) {
    update(meshId, cluster, f -> f.built = later(f.built, at));
  }

  /** The pairs {@code pairs} were added for {@code cluster} at {@code at}. */
  public void pairsAdded(String meshId, String cluster, AddedPairs pairs, Instant at) {
    update(
        meshId,
        cluster,
        f -> {
          if (f.pairsAt == null || !at.isBefore(f.pairsAt)) {
            f.pairsAt = at;
            f.pairs = pairs;
          }
        });
  }

  /** The VMs of {@code cluster} were deleted at {@code at}. */
  public void deleted(String meshId, String cluster, Instant at) {
    update(meshId, cluster, f -> f.deleted = later(f.deleted, at));
  }

  /** The live clusters of {@code meshId}, by name; empty for an unknown or deleted mesh. */
  public List<LiveCluster> liveClusters(String meshId) {
    Map<String, Facts> clusters = meshes.getOrDefault(meshId, Map.of());
    synchronized (clusters) {
      return new TreeMap<>(clusters)
          .entrySet().stream()
              .filter(e -> e.getValue().live())
              .map(e -> new LiveCluster(e.getKey(), pairsOf(e.getValue())))
              .toList();
    }
  }

  private static Optional<AddedPairs> pairsOf(Facts f) {
    boolean current = f.pairs != null && (f.deleted == null || f.pairsAt.isAfter(f.deleted));
    return current ? Optional.of(f.pairs) : Optional.empty();
  }

  private void update(String meshId, String cluster, java.util.function.Consumer<Facts> change) {
    Map<String, Facts> clusters = meshes.computeIfAbsent(meshId, m -> new ConcurrentHashMap<>());
    synchronized (clusters) {
      change.accept(clusters.computeIfAbsent(cluster, c -> new Facts()));
    }
  }

  private static Instant later(Instant a, Instant b) {
    return a == null || b.isAfter(a) ? b : a;
  }
}
