package io.meshorch.kit.step;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.validation.MeshRequestValidator;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which clusters have a deletion requested since they were last requested, from the requests topic
 * (replayed when partitions are assigned, then live). A cluster is being deleted when a {@code
 * MeshDeleteRequested} of its whole mesh or naming it is newer than the last valid {@code
 * MeshRequested} naming it: a later {@code up} builds it again. Facts are compared by their time,
 * so order and repetitions do not matter (a replay and a re-read of uncommitted records agree).
 * Thread-safe.
 *
 * <p>The kit uses it to stop a run when its mesh is deleted: the steps of {@link StepRoute#builds
 * building routes} of such a cluster are cancelled, and none is started or resumed for it, nor for
 * a trigger older than the cluster's latest deletion ({@link #stops}).
 */
public final class DeletionRequests {
  private static final MeshRequestValidator VALIDATOR = new MeshRequestValidator();

  /**
   * A deletion just recorded.
   *
   * @param meshId its mesh
   * @param clusters the clusters it names, or null for the whole mesh
   */
  public record Deletion(String meshId, List<String> clusters) {}

  private static final class Mesh {
    final Map<String, Instant> requested = new HashMap<>();
    final Map<String, Instant> deleted = new HashMap<>();
    Instant wholeMeshDeleted;
  }

  private final Map<String, Mesh> meshes = new ConcurrentHashMap<>();

  /** Why a step of {@code meshId} is cancelled: the reason of its {@code CANCELLED} failure. */
  public static String reason(String meshId) {
    return "mesh " + meshId + " is being deleted (meshctl down)";
  }

  /**
   * Takes a request into account: a valid {@code MeshRequested} or a {@code MeshDeleteRequested};
   * other events change nothing.
   *
   * @return the deletion, when {@code event} is one
   */
  public Optional<Deletion> record(EventEnvelope event) {
    if (event.payload() instanceof MeshRequested r) {
      if (VALIDATOR.validate(event.meshId(), r).isEmpty()) {
        Mesh m = meshes.computeIfAbsent(event.meshId(), id -> new Mesh());
        synchronized (m) {
          r.clusters()
              .forEach(c -> m.requested.merge(c.name(), event.occurredAt(), DeletionRequests::max));
        }
      }
      return Optional.empty();
    }
    if (event.payload() instanceof MeshDeleteRequested d) {
      Mesh m = meshes.computeIfAbsent(event.meshId(), id -> new Mesh());
      synchronized (m) {
        if (d.clusters() == null) {
          m.wholeMeshDeleted = max(m.wholeMeshDeleted, event.occurredAt());
        } else {
          d.clusters().forEach(c -> m.deleted.merge(c, event.occurredAt(), DeletionRequests::max));
        }
      }
      return Optional.of(new Deletion(event.meshId(), d.clusters()));
    }
    return Optional.empty();
  }

  /**
   * True when a deletion of {@code cluster} of {@code meshId} is newer than its last request; for a
   * mesh-level event ({@code cluster} null), when the whole mesh's deletion is newer than every
   * request of it.
   */
  public boolean deleting(String meshId, String cluster) {
    Mesh m = meshes.get(meshId);
    if (m == null) {
      return false;
    }
    synchronized (m) {
      if (cluster == null) {
        Instant latest = m.requested.values().stream().reduce(null, DeletionRequests::max);
        return after(m.wholeMeshDeleted, latest);
      }
      Instant deletion = max(m.wholeMeshDeleted, m.deleted.get(cluster));
      return after(deletion, m.requested.get(cluster));
    }
  }

  /**
   * True when a building step triggered by an event of {@code triggeredAt} must not run for {@code
   * cluster} of {@code meshId}: the cluster is {@link #deleting being deleted}, or its latest
   * deletion came after the trigger (the trigger belongs to a run deleted since, also when a later
   * request builds the cluster again: that run has triggers of its own).
   */
  public boolean stops(String meshId, String cluster, Instant triggeredAt) {
    if (deleting(meshId, cluster)) {
      return true;
    }
    Mesh m = meshes.get(meshId);
    if (m == null) {
      return false;
    }
    synchronized (m) {
      Instant deletion =
          cluster == null ? m.wholeMeshDeleted : max(m.wholeMeshDeleted, m.deleted.get(cluster));
      return deletion != null && triggeredAt.isBefore(deletion);
    }
  }

  private static boolean after(Instant deletion, Instant request) {
    return deletion != null && (request == null || deletion.isAfter(request));
  }

  private static Instant max(Instant a, Instant b) {
    return a == null || (b != null && b.isAfter(a)) ? b : a;
  }
}
