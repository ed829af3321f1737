package io.meshorch.mesh.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.mesh.domain.MeshLedger;

/**
 * Handles {@code PortsUpdated}: Adds a cluster whose ports allow its mesh endpoint; the last one of
 * a mesh starts the connect step (exactly once). Duplicates and replays change nothing.
 */
public final class PortsUpdatedHandler {
  private final MeshLedger ledger;
  private final MeshActionRunner runner;

  public PortsUpdatedHandler(MeshLedger ledger, MeshActionRunner runner) {
    this.ledger = ledger;
    this.runner = runner;
  }

  /** Records the event in the mesh's progress and runs the action it unlocks, if any. */
  public void handle(EventEnvelope event) {
    ledger.recordAndClaim(event).ifPresent(runner::run);
  }
}
