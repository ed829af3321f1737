package io.meshorch.dashboard.view;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.MeshRejected;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.PortsUpdated;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.StepStarted;
import io.meshorch.contracts.Violation;
import io.meshorch.contracts.VmsReady;
import io.meshorch.dashboard.view.MeshView.CellState;
import io.meshorch.dashboard.view.MeshView.MeshState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The events of one mesh's latest run, kept in the order they happened, and the {@link MeshView}
 * they fold into. Events of different topics arrive in no particular order (on a replay a whole
 * topic may come before the next), so the view is folded again from the ordered events whenever one
 * arrives, rather than patched. A newer {@link MeshRequested} starts a new run: what happened
 * before it is dropped. An event seen twice (a redelivery, a replay after a rebalance) counts once;
 * only the IDs of the kept events are remembered, so a long-running dashboard holds each mesh's
 * latest run and nothing older.
 */
final class MeshTimeline {
  private static final Comparator<EventEnvelope> BY_TIME =
      Comparator.comparing(EventEnvelope::occurredAt);

  private final String meshId;
  private final List<EventEnvelope> events = new ArrayList<>();
  private final Set<UUID> ids = new HashSet<>();
  private Instant runStart;

  MeshTimeline(String meshId) {
    this.meshId = meshId;
  }

  /** Adds one event of this mesh; false when it was seen already or belongs to an older run. */
  boolean add(EventEnvelope event) {
    if (ids.contains(event.eventId())
        || (runStart != null && event.occurredAt().isBefore(runStart))) {
      return false;
    }
    if (event.payload() instanceof MeshRequested) {
      runStart = event.occurredAt();
      events.removeIf(
          e -> {
            boolean older = e.occurredAt().isBefore(runStart);
            if (older) {
              ids.remove(e.eventId());
            }
            return older;
          });
    }
    ids.add(event.eventId());
    int at = events.size();
    while (at > 0 && BY_TIME.compare(events.get(at - 1), event) > 0) {
      at--;
    }
    events.add(at, event);
    return true;
  }

  /** How many events are kept (the latest run's). */
  int size() {
    return events.size();
  }

  /** The view of the run, folded from its events. */
  MeshView view() {
    Fold fold = new Fold();
    events.forEach(fold::apply);
    return fold.view();
  }

  /** One pass over the ordered events of a run. */
  private final class Fold {
    private final Map<String, Map<String, MutableCell>> grid = new LinkedHashMap<>();
    private final List<MeshView.Failure> failures = new ArrayList<>();
    private MeshState state = MeshState.IN_PROGRESS;
    private Instant requestedAt;
    private Instant endedAt;
    private Instant updatedAt;
    private String message = "";
    private List<MeshReady.MeshClusterView> nodeTable = List.of();

    void apply(EventEnvelope e) {
      updatedAt = e.occurredAt();
      MeshEvent payload = e.payload();
      Instant t = e.occurredAt();
      String cluster = e.cluster();
      if (payload instanceof MeshRequested r) {
        requestedAt = t;
        r.clusters().stream()
            .filter(c -> c != null && c.name() != null)
            .forEach(c -> row(c.name()));
      } else if (payload instanceof MeshRejected r) {
        end(MeshState.REJECTED, t);
        for (Violation v : r.violations()) {
          failures.add(
              new MeshView.Failure(
                  null, Stage.VALIDATE, "REJECTED", v.field() + ": " + v.rule(), false, t));
        }
      } else if (payload instanceof StepStarted s) {
        cells(cluster, s.stage()).forEach(c -> c.start(t));
        if (Stage.DELETE.equals(s.stage()) && state != MeshState.FAILED) {
          state = MeshState.DELETING;
        }
      } else if (payload instanceof ProgressReported p) {
        List<MutableCell> cells = cells(cluster, p.stage());
        cells.forEach(c -> c.progress(t, p.message()));
        if (cluster == null || cells.isEmpty()) {
          message = p.message();
        }
      } else if (payload instanceof VmsReady) {
        done(cluster, Stage.VMS, t);
      } else if (payload instanceof ClusterUp) {
        done(cluster, Stage.KUBERNETES, t);
      } else if (payload instanceof CiliumReady) {
        done(cluster, Stage.CNI, t);
      } else if (payload instanceof LbIpAssigned) {
        done(cluster, Stage.LOAD_BALANCER, t);
      } else if (payload instanceof PortsUpdated) {
        done(cluster, Stage.PORTS, t);
      } else if (payload instanceof ClusterFailed f) {
        cells(cluster, f.stage()).forEach(c -> c.fail(t));
        failures.add(
            new MeshView.Failure(cluster, f.stage(), f.code(), f.reason(), f.retryable(), t));
      } else if (payload instanceof MeshReady r) {
        grid.keySet().forEach(name -> done(name, Stage.MESH, t));
        nodeTable = r.clusters();
        end(MeshState.READY, t);
      } else if (payload instanceof MeshFailed f) {
        meshFailed(f, t);
      } else if (payload instanceof MeshDeleteRequested) {
        state = MeshState.DELETING;
        endedAt = null;
      } else if (payload instanceof MeshDeleted) {
        end(MeshState.DELETED, t);
      }
    }

    private void meshFailed(MeshFailed f, Instant t) {
      cells(f.cluster(), f.stage()).forEach(c -> c.fail(t));
      if (!Stage.MESH.equals(f.stage())) {
        // mesh-service's step only reported another stage's failure: the mesh was never connected
        cells(null, Stage.MESH).forEach(MutableCell::notReached);
      }
      boolean reported =
          failures.stream()
              .anyMatch(
                  x ->
                      x.cluster() != null
                          && x.cluster().equals(f.cluster())
                          && x.stage().equals(f.stage())
                          && x.code().equals(f.code()));
      if (!reported) {
        failures.add(
            new MeshView.Failure(f.cluster(), f.stage(), f.code(), f.reason(), f.retryable(), t));
      }
      end(MeshState.FAILED, t);
    }

    private void end(MeshState to, Instant t) {
      state = to;
      endedAt = t;
      message = ""; // what it was waiting for is over
    }

    private void done(String cluster, String stage, Instant t) {
      if (cluster == null) {
        return;
      }
      MutableCell cell = row(cluster).get(stage);
      if (cell.startedAt == null) {
        cell.startedAt = previousEnd(cluster, stage);
      }
      cell.state = CellState.DONE;
      cell.endedAt = t;
    }

    /** When the stage before {@code stage} ended (or the request), for a step seen only ending. */
    private Instant previousEnd(String cluster, String stage) {
      int i = MeshBoard.STAGES.indexOf(stage);
      Instant before = i > 0 ? row(cluster).get(MeshBoard.STAGES.get(i - 1)).endedAt : null;
      return before != null ? before : requestedAt;
    }

    /**
     * The grid cells an event about {@code stage} touches: the cluster's own, or, for a mesh-level
     * event, that stage's cell of every cluster; none for a stage outside the grid.
     */
    private List<MutableCell> cells(String cluster, String stage) {
      if (!MeshBoard.STAGES.contains(stage)) {
        return List.of();
      }
      if (cluster != null) {
        return List.of(row(cluster).get(stage));
      }
      return grid.values().stream().map(r -> r.get(stage)).toList();
    }

    private Map<String, MutableCell> row(String cluster) {
      return grid.computeIfAbsent(
          cluster,
          name -> {
            Map<String, MutableCell> cells = new LinkedHashMap<>();
            MeshBoard.STAGES.forEach(s -> cells.put(s, new MutableCell()));
            return cells;
          });
    }

    MeshView view() {
      List<MeshView.ClusterRow> rows = new ArrayList<>();
      grid.forEach(
          (name, cells) -> {
            List<MeshView.Cell> out = new ArrayList<>();
            cells.forEach((stage, c) -> out.add(c.freeze(stage)));
            rows.add(new MeshView.ClusterRow(name, List.copyOf(out)));
          });
      return new MeshView(
          meshId,
          state,
          requestedAt,
          endedAt,
          updatedAt,
          message,
          List.copyOf(rows),
          List.copyOf(failures),
          nodeTable);
    }
  }

  /** A cell while the events are folded. */
  private static final class MutableCell {
    CellState state = CellState.PENDING;
    Instant startedAt;
    Instant endedAt;
    String message = "";

    void start(Instant t) {
      if (state == CellState.PENDING) {
        state = CellState.RUNNING;
        startedAt = t;
      }
    }

    void progress(Instant t, String text) {
      start(t);
      message = text == null ? "" : text;
    }

    void notReached() {
      if (state == CellState.RUNNING) {
        state = CellState.PENDING;
        startedAt = null;
        message = "";
      }
    }

    void fail(Instant t) {
      if (startedAt == null) {
        startedAt = t;
      }
      state = CellState.FAILED;
      endedAt = t;
    }

    MeshView.Cell freeze(String stage) {
      return new MeshView.Cell(stage, state, startedAt, endedAt, message);
    }
  }
}
