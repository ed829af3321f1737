package io.meshorch.mesh.application;

import io.meshorch.mesh.domain.MeshAction;
import io.meshorch.mesh.domain.MeshLedger;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a restart, resumes the meshes the replay found ready to connect (or failed) but without a
 * published outcome: their connect step is run again (idempotent) on the worker pool.
 */
public final class MeshResumer {
  private static final Logger log = LoggerFactory.getLogger(MeshResumer.class);

  private final MeshLedger ledger;
  private final MeshActionRunner runner;
  private final Executor workers;

  public MeshResumer(MeshLedger ledger, MeshActionRunner runner, Executor workers) {
    this.ledger = ledger;
    this.runner = runner;
    this.workers = workers;
  }

  /** Claims every pending action and runs each on a worker; returns how many were resumed. */
  public int resumeAll() {
    List<MeshAction> pending = ledger.claimPending();
    for (MeshAction action : pending) {
      log.info("resuming mesh {}: {}", action.meshId(), action.getClass().getSimpleName());
      workers.execute(
          () -> {
            try {
              runner.run(action);
            } catch (RuntimeException e) {
              log.error("resuming mesh {} failed: {}", action.meshId(), e.getMessage(), e);
            }
          });
    }
    return pending.size();
  }
}
