package io.meshorch.meshctl.follow;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterFailed;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.LbIpAssigned;
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
import io.meshorch.contracts.VmsReady;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the event stream says about one mesh: the step each cluster reached and how the mesh ended.
 * Fed with events in arrival order; a new {@link MeshRequested} starts a new run.
 */
public final class MeshRun {
  /** How a mesh run stands. */
  public enum Outcome {
    IN_PROGRESS,
    READY,
    FAILED,
    REJECTED,
    /** {@code MeshDeleted}: the mesh was deleted after its last request ({@code meshctl down}). */
    DELETED
  }

  /** One cluster's latest known state. */
  public static final class ClusterState {
    String stage = "requested";
    int nodes;
    String meshEndpoint;
    String lastMessage = "";
    ClusterFailed failure;
    String distribution = KubernetesSpec.RKE1;
    String version;

    /** {@code rke1} or {@code rke2}: requested, then as deployed ({@code ClusterUp}). */
    public String distribution() {
      return distribution;
    }

    /**
     * The Kubernetes release: requested, then as deployed (rke-service names the version it
     * installed, its deployer's default resolved); null while left to the default and not up yet.
     */
    public String version() {
      return version;
    }

    void kubernetes(KubernetesSpec k) {
      if (k == null) {
        return;
      }
      if (k.distribution() != null) {
        distribution = k.distribution();
      }
      if (k.version() != null) {
        version = k.version();
      }
    }

    public String stage() {
      return stage;
    }

    public int nodes() {
      return nodes;
    }

    public String meshEndpoint() {
      return meshEndpoint;
    }

    public String lastMessage() {
      return lastMessage;
    }

    public ClusterFailed failure() {
      return failure;
    }
  }

  private final String meshId;
  private final Map<String, ClusterState> clusters = new LinkedHashMap<>();
  private Outcome outcome = Outcome.IN_PROGRESS;
  private Instant requestedAt;
  private Instant deletedAt;
  private Instant endedAt;
  private MeshReady ready;
  private MeshFailed failed;
  private MeshRejected rejected;

  public MeshRun(String meshId) {
    this.meshId = meshId;
  }

  /**
   * Applies one event of this mesh. Events of different topics arrive in no particular order; a
   * request starts a new run only when it is newer than the one known.
   */
  public void apply(EventEnvelope event) {
    MeshEvent payload = event.payload();
    if (payload instanceof MeshRequested r) {
      restart(event, r);
    } else if (payload instanceof MeshRejected r) {
      end(Outcome.REJECTED, event).rejected = r;
    } else if (payload instanceof MeshReady r) {
      end(Outcome.READY, event).ready = r;
    } else if (payload instanceof MeshFailed f) {
      end(Outcome.FAILED, event).failed = f;
    } else if (payload instanceof ProgressReported p) {
      cluster(event).lastMessage = p.message();
    } else if (payload instanceof StepStarted s) {
      // Work began on a step; it says nothing about how the mesh ends.
      cluster(event).lastMessage = s.stage() + " step started";
    } else if (payload instanceof VmsReady v) {
      step(event, Stage.VMS).nodes = v.nodes().size();
    } else if (payload instanceof ClusterUp u) {
      step(event, Stage.KUBERNETES).kubernetes(u.cluster().kubernetes());
    } else if (payload instanceof CiliumReady) {
      step(event, Stage.CNI);
    } else if (payload instanceof LbIpAssigned l) {
      step(event, Stage.LOAD_BALANCER).meshEndpoint =
          l.meshEndpointIp() + ":" + l.meshEndpointPort();
    } else if (payload instanceof PortsUpdated) {
      step(event, Stage.PORTS);
    } else if (payload instanceof ClusterFailed f) {
      cluster(event).failure = f;
    } else if (payload instanceof MeshDeleted) {
      deleted(event);
    }
  }

  /** The mesh was deleted: unless a later request built it anew, that is how it stands. */
  private void deleted(EventEnvelope event) {
    if (deletedAt == null || event.occurredAt().isAfter(deletedAt)) {
      deletedAt = event.occurredAt();
    }
    if (requestedAt == null || event.occurredAt().isAfter(requestedAt)) {
      clusters.clear();
      ready = null;
      failed = null;
      rejected = null;
      end(Outcome.DELETED, event);
    }
  }

  private void restart(EventEnvelope event, MeshRequested request) {
    if ((requestedAt != null && !event.occurredAt().isAfter(requestedAt))
        || (deletedAt != null && !event.occurredAt().isAfter(deletedAt))) {
      // The same request again (its echo on the topic, which may arrive after the answers on
      // other topics), an older one, or one before the mesh was deleted: not a new run.
      return;
    }
    clusters.clear();
    outcome = Outcome.IN_PROGRESS;
    ready = null;
    failed = null;
    rejected = null;
    endedAt = null;
    requestedAt = event.occurredAt();
    request.clusters().stream()
        .filter(c -> c != null && c.name() != null)
        .forEach(
            c -> {
              ClusterState state = new ClusterState();
              state.kubernetes(c.kubernetes() != null ? c.kubernetes() : request.kubernetes());
              clusters.put(c.name(), state);
            });
  }

  private MeshRun end(Outcome to, EventEnvelope event) {
    outcome = to;
    endedAt = event.occurredAt();
    return this;
  }

  private ClusterState step(EventEnvelope event, String stage) {
    ClusterState state = cluster(event);
    state.stage = stage;
    return state;
  }

  private ClusterState cluster(EventEnvelope event) {
    String name = event.cluster() == null ? "(mesh)" : event.cluster();
    return clusters.computeIfAbsent(name, n -> new ClusterState());
  }

  public String meshId() {
    return meshId;
  }

  public Outcome outcome() {
    return outcome;
  }

  public Map<String, ClusterState> clusters() {
    return clusters;
  }

  public MeshReady ready() {
    return ready;
  }

  public MeshFailed failed() {
    return failed;
  }

  /**
   * Whether running {@code up} again may succeed after the failure: the {@link MeshFailed}'s own
   * {@code retryable}, or, when its producer did not say, that of the {@link ClusterFailed} of the
   * cluster it names (if that arrived); null when unknown or the mesh did not fail.
   */
  public Boolean retryable() {
    if (failed == null) {
      return null;
    }
    if (failed.retryable() != null) {
      return failed.retryable();
    }
    ClusterState cluster = failed.cluster() == null ? null : clusters.get(failed.cluster());
    return cluster == null || cluster.failure == null ? null : cluster.failure.retryable();
  }

  public MeshRejected rejected() {
    return rejected;
  }

  public Instant requestedAt() {
    return requestedAt;
  }

  public Instant endedAt() {
    return endedAt;
  }
}
