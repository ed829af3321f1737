package io.meshorch.dashboard.view;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Stage;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The dashboard's view of every mesh, built from the event stream alone. Safe to feed from one
 * thread and read from others. An event seen twice (a redelivery, a replay after a rebalance) is
 * applied once.
 */
public final class MeshBoard {
  /** The columns of a mesh's grid, in flow order. */
  public static final List<String> STAGES =
      List.of(Stage.VMS, Stage.KUBERNETES, Stage.CNI, Stage.LOAD_BALANCER, Stage.PORTS, Stage.MESH);

  private final Map<String, MeshTimeline> meshes = new HashMap<>();
  private final Set<UUID> seen = new HashSet<>();

  /**
   * Applies one event.
   *
   * @return whether the view of its mesh may have changed (false for a duplicate or an event of an
   *     older run)
   */
  public synchronized boolean apply(EventEnvelope event) {
    if (!seen.add(event.eventId())) {
      return false;
    }
    return meshes.computeIfAbsent(event.meshId(), MeshTimeline::new).add(event);
  }

  /** The view of one mesh, if any event of it was seen. */
  public synchronized Optional<MeshView> mesh(String meshId) {
    return Optional.ofNullable(meshes.get(meshId)).map(MeshTimeline::view);
  }

  /** Every mesh, the most recently requested first. */
  public synchronized List<MeshView> meshes() {
    Comparator<MeshView> newestFirst =
        Comparator.comparing(
                (MeshView v) -> v.requestedAt() != null ? v.requestedAt() : v.updatedAt(),
                Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
            .thenComparing(MeshView::meshId);
    return meshes.values().stream().map(MeshTimeline::view).sorted(newestFirst).toList();
  }
}
