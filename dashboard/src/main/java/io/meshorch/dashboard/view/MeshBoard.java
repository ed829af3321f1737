package io.meshorch.dashboard.view;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.Stage;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's view of every mesh, built from the event stream alone. Safe to feed from one
 * thread and read from others. An event seen twice (a redelivery, a replay after a rebalance) is
 * applied once. It keeps each mesh's latest run only ({@link MeshTimeline}).
 */
public final class MeshBoard {
  /** The columns of a mesh's grid, in flow order. */
  public static final List<String> STAGES =
      List.of(Stage.VMS, Stage.KUBERNETES, Stage.CNI, Stage.LOAD_BALANCER, Stage.PORTS, Stage.MESH);

  private final Map<String, MeshTimeline> meshes = new HashMap<>();

  /**
   * Applies one event.
   *
   * @return whether the view of its mesh may have changed (false for a duplicate or an event of an
   *     older run)
   */
  public synchronized boolean apply(EventEnvelope event) {
    return meshes.computeIfAbsent(event.meshId(), MeshTimeline::new).add(event);
  }

  /** How many events the board keeps, over every mesh. */
  synchronized int eventsKept() {
    return meshes.values().stream().mapToInt(MeshTimeline::size).sum();
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
