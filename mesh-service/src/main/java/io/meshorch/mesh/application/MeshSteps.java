package io.meshorch.mesh.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshFailed;
import io.meshorch.kit.step.Next;
import io.meshorch.kit.step.Plan;
import io.meshorch.kit.step.Step;
import io.meshorch.kit.step.StepContext;
import io.meshorch.kit.step.StepEnd;
import io.meshorch.mesh.domain.MeshAction;
import io.meshorch.mesh.domain.MeshLedger;
import io.meshorch.mesh.port.ClusterMeshPort;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What mesh-service does with each event it takes ({@code MeshRequested}, {@code MeshRejected},
 * {@code PortsUpdated}, {@code ClusterFailed}): records it in the mesh's progress and, when the
 * mesh has an action, plans one mesh-level step for it: {@link ConnectStep} (every cluster has its
 * ports updated) or a step that publishes the {@code MeshFailed} of a failed cluster. The step is
 * named by the action's cause with no cluster, which is what its outcome carries. Planning is the
 * same when a started step is resumed after a restart: the ledger, rebuilt from the topics, hands
 * out the same action again.
 */
public final class MeshSteps {
  private final MeshLedger ledger;
  private final ClusterMeshPort mesh;
  private final Duration validationTimeout;
  private final Clock clock;
  private final Executor workers;

  /**
   * @param ledger the progress of every mesh
   * @param mesh the clusters' cluster-mesh side
   * @param validationTimeout how long the agents may take to see every remote node ({@code
   *     mesh.validation.timeout})
   * @param clock the time of the validation deadline
   * @param workers runs the calls to the clusters (the reads of their Cilium CAs, the writes of
   *     their mesh configuration, the reads of their agents), one task per cluster (bounded over
   *     all meshes: {@code mesh.validation.parallelism})
   */
  public MeshSteps(
      MeshLedger ledger,
      ClusterMeshPort mesh,
      Duration validationTimeout,
      Clock clock,
      Executor workers) {
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.mesh = Objects.requireNonNull(mesh, "mesh");
    this.validationTimeout = Objects.requireNonNull(validationTimeout, "validationTimeout");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.workers = Objects.requireNonNull(workers, "workers");
  }

  /** As the full constructor, with the clusters called one after another. */
  public MeshSteps(
      MeshLedger ledger, ClusterMeshPort mesh, Duration validationTimeout, Clock clock) {
    this(ledger, mesh, validationTimeout, clock, Runnable::run);
  }

  /** Records {@code event} and plans the mesh's step, if it has an action. No outside calls. */
  public Plan plan(EventEnvelope event) {
    return ledger
        .recordAndClaim(event)
        .map(
            action ->
                Plan.steps(
                    List.of(Plan.Planned.of(action.causationId(), null, () -> step(action)))))
        .orElse(Plan.nothing());
  }

  /** A fresh step for {@code action}. */
  Step step(MeshAction action) {
    if (action instanceof MeshAction.Connect connect) {
      return new ConnectStep(connect, mesh, ledger, validationTimeout, clock, workers);
    }
    return new FailStep((MeshAction.Fail) action, ledger);
  }

  /**
   * Tells the ledger how the step of {@code meshId} ended: with its outcome or failure published
   * the mesh is done; stopped (the service stops, or the partition moved), its action may be
   * claimed again when the step is resumed.
   */
  static void ended(MeshLedger ledger, String meshId, StepEnd end) {
    if (end == StepEnd.STOPPED) {
      ledger.released(meshId);
    } else {
      ledger.completed(meshId);
    }
  }

  /**
   * How a step of this service that gave up, or an event that could not be processed, is told to
   * the mesh: mesh-service owns the mesh's outcome, so as {@code MeshFailed}, not {@code
   * ClusterFailed}.
   *
   * @param stage the route's stage
   * @param cluster the cluster concerned, or null for the mesh
   */
  public static MeshFailed failure(
      String stage, String cluster, String code, String reason, boolean retryable) {
    return new MeshFailed(stage, cluster, code, reason, retryable);
  }

  /** Publishes the {@code MeshFailed} a cluster's failure decided, at once. */
  static final class FailStep implements Step {
    private final MeshAction.Fail action;
    private final MeshLedger ledger;

    FailStep(MeshAction.Fail action, MeshLedger ledger) {
      this.action = action;
      this.ledger = ledger;
    }

    @Override
    public Next advance(StepContext context) {
      return Next.done(action.failure());
    }

    @Override
    public void ended(StepEnd end) {
      MeshSteps.ended(ledger, action.meshId(), end);
    }
  }
}
