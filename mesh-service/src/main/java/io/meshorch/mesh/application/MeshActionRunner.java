package io.meshorch.mesh.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.contracts.ProgressReported;
import io.meshorch.contracts.Stage;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.kit.retry.Retrier;
import io.meshorch.mesh.domain.AgentReport;
import io.meshorch.mesh.domain.ClusterConnection;
import io.meshorch.mesh.domain.ClusterMember;
import io.meshorch.mesh.domain.MeshAction;
import io.meshorch.mesh.domain.MeshLedger;
import io.meshorch.mesh.domain.MeshVerdict;
import io.meshorch.mesh.port.ClusterMeshPort;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out the action the ledger handed out for a mesh and publishes its outcome: for Connect,
 * writes every cluster's mesh configuration, then polls the agents until every cluster sees every
 * remote node ({@code MeshReady}) or the timeout passes ({@code MeshFailed} REMOTE_NOT_SEEN); for
 * Fail, publishes the {@code MeshFailed}. Runs on a worker thread and blocks for bounded times.
 * Re-running it converges: writes are idempotent and validation only reads.
 */
public final class MeshActionRunner {
  /** Reason code of a mesh whose agents did not see every remote node in time. */
  public static final String REMOTE_NOT_SEEN = "REMOTE_NOT_SEEN";

  private static final Logger log = LoggerFactory.getLogger(MeshActionRunner.class);

  private final ClusterMeshPort mesh;
  private final EventPublisherPort publisher;
  private final MeshLedger ledger;
  private final MeshSettings settings;
  private final Retrier retrier;

  public MeshActionRunner(
      ClusterMeshPort mesh,
      EventPublisherPort publisher,
      MeshLedger ledger,
      MeshSettings settings) {
    this.mesh = mesh;
    this.publisher = publisher;
    this.ledger = ledger;
    this.settings = settings;
    this.retrier = new Retrier(settings.backoff());
  }

  /**
   * Runs {@code action} to its outcome. When the outcome cannot be published the mesh is released,
   * so that the next event of the mesh or the next start resumes it.
   */
  public void run(MeshAction action) {
    try {
      MeshEvent outcome =
          action instanceof MeshAction.Connect connect
              ? connect(connect)
              : ((MeshAction.Fail) action).failure();
      publish(action.meshId(), action.causationId(), outcome);
      ledger.completed(action.meshId());
      log.info("mesh {} is done: {}", action.meshId(), outcome.getClass().getSimpleName());
    } catch (RuntimeException e) {
      ledger.released(action.meshId());
      throw e;
    }
  }

  private MeshEvent connect(MeshAction.Connect connect) {
    List<ClusterMember> members = connect.members();
    progress(connect, "connecting " + members.size() + " clusters");
    for (ClusterConnection c : ClusterConnection.plan(members)) {
      String cluster = c.member().name();
      try {
        boolean changed =
            retrier.call(
                "write mesh config of cluster " + cluster,
                () -> mesh.writeMeshConfig(c.member().kubeconfigRef(), c.remotes()));
        log.info(
            "mesh {}: cluster {} {} to {} remotes",
            connect.meshId(),
            cluster,
            changed ? "connected" : "already connected",
            c.remotes().size());
      } catch (StepFailure e) {
        return new MeshFailed(Stage.MESH, cluster, e.code(), e.getMessage(), e.retryable());
      }
    }
    return validate(connect);
  }

  private MeshEvent validate(MeshAction.Connect connect) {
    Instant deadline = Instant.now().plus(settings.timeout());
    String lastProgress = null;
    while (true) {
      Map<String, List<AgentReport>> reports = new LinkedHashMap<>();
      for (ClusterMember m : connect.members()) {
        try {
          reports.put(m.name(), mesh.agentReports(m.kubeconfigRef()));
        } catch (TransientFailure e) {
          reports.put(m.name(), List.of(AgentReport.unreadable("(API)", e.getMessage())));
        } catch (StepFailure e) {
          return new MeshFailed(Stage.MESH, m.name(), e.code(), e.getMessage(), e.retryable());
        }
      }
      MeshVerdict verdict = MeshVerdict.evaluate(connect.members(), reports);
      if (verdict.healthy()) {
        return verdict.nodeTable();
      }
      if (!Instant.now().isBefore(deadline)) {
        log.error(
            "mesh {} not ready after {}: {}",
            connect.meshId(),
            settings.timeout(),
            verdict.reason());
        return new MeshFailed(
            Stage.MESH, verdict.blamedCluster(), REMOTE_NOT_SEEN, verdict.reason(), true);
      }
      if (!verdict.progress().equals(lastProgress)) {
        lastProgress = verdict.progress();
        progress(connect, lastProgress);
      }
      pause();
    }
  }

  private void progress(MeshAction action, String message) {
    publish(action.meshId(), action.causationId(), new ProgressReported(Stage.MESH, message));
  }

  private void publish(String meshId, UUID causationId, MeshEvent payload) {
    publisher.publish(
        EventEnvelope.create(meshId, null, causationId, settings.producer(), payload));
  }

  private void pause() {
    try {
      Thread.sleep(settings.pollInterval().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", "interrupted while waiting for the agents", e);
    }
  }
}
