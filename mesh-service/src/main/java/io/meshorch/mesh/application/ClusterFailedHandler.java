package io.meshorch.mesh.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.mesh.domain.MeshLedger;

/**
 * Handles {@code ClusterFailed}: Turns the first failure of any cluster of a mesh into MeshFailed
 * (once). Duplicates and replays change nothing.
 */
public final class ClusterFailedHandler {
  private final MeshLedger ledger;
  private final MeshActionRunner runner;

  public ClusterFailedHandler(MeshLedger ledger, MeshActionRunner runner) {
    this.ledger = ledger;
    this.runner = runner;
  }

  /** Records the event in the mesh's progress and runs the action it unlocks, if any. */
  public void handle(EventEnvelope event) {
    ledger.recordAndClaim(event).ifPresent(runner::run);
  }
}
