package io.meshorch.mesh.domain;

import io.meshorch.contracts.ClusterDeleted;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.validation.MeshRequestValidator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What mesh-service knows about deleting each mesh, as facts with their time (order and repetitions
 * do not matter): the clusters of the valid requests since the mesh was last deleted, each
 * cluster's {@code ClusterDeleted} parts, deletion failures, and the deletion under way. A cluster
 * is deleted when its last part ({@code kubernetes}) came after it was last requested; the mesh is
 * deleted when all its clusters are. A cluster left out of the latest request and deleted since
 * ({@code up --prune}) is no longer one of the mesh's clusters: a later {@code down} neither waits
 * for it nor lists it. After {@link MeshDeleted} the mesh has no clusters: a second delete has
 * nothing to do, and a later request builds the mesh anew. Thread-safe (one lock per mesh).
 */
public final class MeshDeletions {
  private static final MeshRequestValidator VALIDATOR = new MeshRequestValidator();

  /** A deletion failure of one cluster. */
  public record Failure(String cluster, ClusterFailed failure) {}

  private static final class Mesh {
    final Map<String, Instant> requested = new HashMap<>();
    final Map<String, Part> vms = new HashMap<>();
    final Map<String, Part> kubernetes = new HashMap<>();
    final Set<Fact> failures = new LinkedHashSet<>();
    Instant deletedAt;
    UUID inFlight;
    Runnable nudge = () -> {};
  }

  private record Part(Instant at, List<ClusterDeleted.Resource> deleted) {}

  private record Fact(Instant at, String cluster, ClusterFailed failure) {}

  private final Map<String, Mesh> meshes = new ConcurrentHashMap<>();

  /**
   * Takes an input event into account (live or replayed): valid {@code MeshRequested}, {@code
   * ClusterDeleted}, {@code ClusterFailed} of stage delete; own {@code MeshDeleted} (the mesh is
   * deleted as of then). Other events are ignored.
   *
   * @return true when the event concerns a deletion (the caller nudges the deletion under way)
   */
  public boolean record(EventEnvelope event) {
    Mesh m = meshes.computeIfAbsent(event.meshId(), id -> new Mesh());
    boolean deletion = false;
    Runnable nudge;
    synchronized (m) {
      if (event.payload() instanceof MeshRequested r
          && VALIDATOR.validate(event.meshId(), r).isEmpty()) {
        r.clusters()
            .forEach(c -> m.requested.merge(c.name(), event.occurredAt(), MeshDeletions::max));
      } else if (event.payload() instanceof ClusterDeleted d && event.cluster() != null) {
        Map<String, Part> parts = d.part().equals(Stage.VMS) ? m.vms : m.kubernetes;
        Part before = parts.get(event.cluster());
        if (before == null || event.occurredAt().isAfter(before.at())) {
          parts.put(event.cluster(), new Part(event.occurredAt(), d.deleted()));
        }
        deletion = true;
      } else if (event.payload() instanceof ClusterFailed f && f.stage().equals(Stage.DELETE)) {
        m.failures.add(new Fact(event.occurredAt(), event.cluster(), f));
        deletion = true;
      } else if (event.payload() instanceof MeshDeleted) {
        m.deletedAt = max(m.deletedAt, event.occurredAt());
      }
      nudge = m.nudge;
    }
    if (deletion) {
      nudge.run();
    }
    return deletion;
  }

  /**
   * The clusters the mesh has (requested since it was last deleted), by name; empty for an unknown
   * or deleted mesh.
   */
  public List<String> clusters(String meshId) {
    Mesh m = meshes.get(meshId);
    if (m == null) {
      return List.of();
    }
    synchronized (m) {
      return clustersOf(m);
    }
  }

  /**
   * Claims the deletion of {@code meshId} for the request {@code requestId}: the deletion under
   * way, if any (its request's ID), else this one.
   */
  public UUID claim(String meshId, UUID requestId) {
    Mesh m = meshes.computeIfAbsent(meshId, id -> new Mesh());
    synchronized (m) {
      if (m.inFlight == null) {
        m.inFlight = requestId;
      }
      return m.inFlight;
    }
  }

  /** The deletion's step is gone (ended or stopped): it may be claimed again. */
  public void released(String meshId) {
    Mesh m = meshes.get(meshId);
    if (m != null) {
      synchronized (m) {
        m.inFlight = null;
        m.nudge = () -> {};
      }
    }
  }

  /** Calls {@code nudge} whenever a fact about the mesh's deletion arrives. */
  public void watch(String meshId, Runnable nudge) {
    Mesh m = meshes.computeIfAbsent(meshId, id -> new Mesh());
    synchronized (m) {
      m.nudge = nudge;
    }
  }

  /** The clusters whose last part is not deleted yet, by name. */
  public List<String> remaining(String meshId) {
    Mesh m = meshes.get(meshId);
    if (m == null) {
      return List.of();
    }
    synchronized (m) {
      return clustersOf(m).stream().filter(c -> !deleted(m, c)).toList();
    }
  }

  /** The first deletion failure since {@code since}, if any. */
  public Optional<Failure> failureSince(String meshId, Instant since) {
    Mesh m = meshes.get(meshId);
    if (m == null) {
      return Optional.empty();
    }
    synchronized (m) {
      return m.failures.stream()
          .filter(f -> !f.at().isBefore(since))
          .min(java.util.Comparator.comparing(Fact::at))
          .map(f -> new Failure(f.cluster(), f.failure()));
    }
  }

  /** What was deleted of each cluster (both parts), by cluster name. */
  public List<MeshDeleted.DeletedCluster> summary(String meshId) {
    Mesh m = meshes.get(meshId);
    if (m == null) {
      return List.of();
    }
    synchronized (m) {
      List<MeshDeleted.DeletedCluster> out = new ArrayList<>();
      for (String c : clustersOf(m)) {
        List<ClusterDeleted.Resource> all = new ArrayList<>();
        Optional.ofNullable(m.vms.get(c)).ifPresent(p -> all.addAll(p.deleted()));
        Optional.ofNullable(m.kubernetes.get(c)).ifPresent(p -> all.addAll(p.deleted()));
        out.add(new MeshDeleted.DeletedCluster(c, all));
      }
      return out;
    }
  }

  /** The mesh is deleted as of {@code at}: its clusters so far are gone. */
  public void deleted(String meshId, Instant at) {
    Mesh m = meshes.computeIfAbsent(meshId, id -> new Mesh());
    synchronized (m) {
      m.deletedAt = max(m.deletedAt, at);
      m.requested.values().forEach(t -> m.deletedAt = max(m.deletedAt, t));
    }
  }

  private static List<String> clustersOf(Mesh m) {
    Instant latest = m.requested.values().stream().max(Instant::compareTo).orElse(null);
    return new TreeMap<>(m.requested)
        .entrySet().stream()
            .filter(e -> m.deletedAt == null || e.getValue().isAfter(m.deletedAt))
            // pruned: left out of the latest request and deleted since (up --prune)
            .filter(e -> e.getValue().equals(latest) || !deleted(m, e.getKey()))
            .map(Map.Entry::getKey)
            .toList();
  }

  private static boolean deleted(Mesh m, String cluster) {
    Part part = m.kubernetes.get(cluster);
    Instant requested = m.requested.get(cluster);
    return part != null && (requested == null || part.at().isAfter(requested));
  }

  private static Instant max(Instant a, Instant b) {
    return a == null || (b != null && b.isAfter(a)) ? b : a;
  }
}
