package io.meshorch.dashboard.view;

import io.meshorch.contracts.MeshReady;
import java.time.Instant;
import java.util.List;

/**
 * What the dashboard shows of one mesh, as the browser receives it (JSON): its state, when it was
 * requested and ended, a grid of clusters × stages, its failures and, once ready, the node table.
 *
 * @param meshId the mesh ID
 * @param state how the mesh stands
 * @param requestedAt when the latest request of the mesh was made (null when only later events were
 *     seen)
 * @param endedAt when it became ready, failed, was rejected or deleted (null while in flight)
 * @param updatedAt the time of the latest event of the mesh
 * @param message the latest progress message about the mesh as a whole (empty when none)
 * @param clusters one row per cluster, in the order of the request
 * @param failures every failure of the run, oldest first
 * @param nodeTable "who sees whom" from {@link MeshReady}; empty until the mesh is ready
 */
public record MeshView(
    String meshId,
    MeshState state,
    Instant requestedAt,
    Instant endedAt,
    Instant updatedAt,
    String message,
    List<ClusterRow> clusters,
    List<Failure> failures,
    List<MeshReady.MeshClusterView> nodeTable) {

  /** How a mesh stands. */
  public enum MeshState {
    IN_PROGRESS,
    READY,
    FAILED,
    REJECTED,
    DELETING,
    DELETED
  }

  /** How one step of one cluster stands. */
  public enum CellState {
    PENDING,
    RUNNING,
    DONE,
    FAILED
  }

  /**
   * One cluster's row of the grid.
   *
   * @param name the cluster name
   * @param cells one cell per stage of {@link MeshBoard#STAGES}, in that order
   */
  public record ClusterRow(String name, List<Cell> cells) {}

  /**
   * One step of one cluster.
   *
   * @param stage the stage name ({@link io.meshorch.contracts.Stage})
   * @param state how it stands
   * @param startedAt when it started (null while pending)
   * @param endedAt when it ended (null while pending or running)
   * @param message the latest progress message of the step (empty when none)
   */
  public record Cell(
      String stage, CellState state, Instant startedAt, Instant endedAt, String message) {

    /** How long it took, in milliseconds, once ended; null before. */
    public Long durationMillis() {
      return startedAt == null || endedAt == null
          ? null
          : Math.max(0, endedAt.toEpochMilli() - startedAt.toEpochMilli());
    }
  }

  /**
   * A step that gave up, or a rejected request.
   *
   * @param cluster the cluster it is about, or null for the mesh as a whole
   * @param stage the stage that failed
   * @param code the failure code, e.g. {@code CA_MISMATCH}
   * @param reason the cause, in words
   * @param retryable whether running {@code up} again may succeed (null when unknown)
   * @param at when it was reported
   */
  public record Failure(
      String cluster, String stage, String code, String reason, Boolean retryable, Instant at) {}
}
