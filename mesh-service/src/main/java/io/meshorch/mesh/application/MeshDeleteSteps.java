package io.meshorch.mesh.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.contracts.MeshDeleteRequested;
import io.meshorch.contracts.MeshDeleted;
import io.meshorch.kit.port.SecretStore;
import io.meshorch.kit.step.Plan;
import io.meshorch.mesh.domain.MeshDeletions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@code MeshDeleteRequested} starts in mesh-service: for a mesh with clusters, one {@link
 * DeleteMeshStep} (a deletion under way is joined: same step); for an unknown or deleted mesh, an
 * empty {@link MeshDeleted} at once, so a second {@code down} is a no-op that still gets an answer.
 * A request naming clusters ({@code up --prune}) starts nothing here: the mesh stays, its CA and
 * keys too; infra- and rke-service delete the named clusters, and the {@code MeshRequested} without
 * them rewrites the survivors' mesh configuration.
 */
public final class MeshDeleteSteps {
  private static final Logger log = LoggerFactory.getLogger(MeshDeleteSteps.class);

  private final MeshDeletions deletions;
  private final SecretStore secrets;
  private final Duration timeout;
  private final Clock clock;

  public MeshDeleteSteps(
      MeshDeletions deletions, SecretStore secrets, Duration timeout, Clock clock) {
    this.deletions = deletions;
    this.secrets = secrets;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** Plans the deletion of the event's mesh; no outside calls. */
  public Plan plan(EventEnvelope event) {
    String meshId = event.meshId();
    if (((MeshDeleteRequested) event.payload()).clusters() != null) {
      log.info(
          "mesh {}: cluster(s) {} pruned; the mesh stays",
          meshId,
          ((MeshDeleteRequested) event.payload()).clusters());
      return Plan.nothing();
    }
    if (deletions.clusters(meshId).isEmpty()) {
      log.info("mesh {} is unknown or deleted already: nothing to delete", meshId);
      return Plan.answer(new MeshDeleted(List.of(), List.of()));
    }
    UUID action = deletions.claim(meshId, event.eventId());
    return Plan.steps(
        List.of(
            Plan.Planned.of(
                action,
                null,
                () -> new DeleteMeshStep(meshId, deletions, secrets, timeout, clock))));
  }
}
