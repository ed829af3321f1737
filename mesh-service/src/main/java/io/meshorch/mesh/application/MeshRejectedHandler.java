package io.meshorch.mesh.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.mesh.domain.MeshLedger;

/**
 * Handles {@code MeshRejected}: Closes a rejected mesh: nothing will be connected for it.
 * Duplicates and replays change nothing.
 */
public final class MeshRejectedHandler {
  private final MeshLedger ledger;
  private final MeshActionRunner runner;

  public MeshRejectedHandler(MeshLedger ledger, MeshActionRunner runner) {
    this.ledger = ledger;
    this.runner = runner;
  }

  /** Records the event in the mesh's progress and runs the action it unlocks, if any. */
  public void handle(EventEnvelope event) {
    ledger.recordAndClaim(event).ifPresent(runner::run);
  }
}
