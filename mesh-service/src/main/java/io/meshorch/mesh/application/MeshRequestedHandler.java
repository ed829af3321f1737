package io.meshorch.mesh.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.mesh.domain.MeshLedger;

/**
 * Handles {@code MeshRequested}: Remembers the clusters of a valid request; may complete a mesh
 * whose ports were all updated before the request was seen. Duplicates and replays change nothing.
 */
public final class MeshRequestedHandler {
  private final MeshLedger ledger;
  private final MeshActionRunner runner;

  public MeshRequestedHandler(MeshLedger ledger, MeshActionRunner runner) {
    this.ledger = ledger;
    this.runner = runner;
  }

  /** Records the event in the mesh's progress and runs the action it unlocks, if any. */
  public void handle(EventEnvelope event) {
    ledger.recordAndClaim(event).ifPresent(runner::run);
  }
}
