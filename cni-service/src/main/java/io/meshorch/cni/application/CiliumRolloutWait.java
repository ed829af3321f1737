package io.meshorch.cni.application;

import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.kit.failure.TransientFailure;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Polls Cilium's workloads until they are ready, bounded by a timeout. */
final class CiliumRolloutWait {
  private static final Logger log = LoggerFactory.getLogger(CiliumRolloutWait.class);

  private final CiliumInstallerPort installer;
  private final Duration timeout;
  private final Duration pollInterval;

  CiliumRolloutWait(CiliumInstallerPort installer, Duration timeout, Duration pollInterval) {
    this.installer = installer;
    this.timeout = timeout;
    this.pollInterval = pollInterval;
  }

  /**
   * The rollout once it is ready. A transient API error while polling is logged and polled again; a
   * terminal one ends the wait.
   *
   * @throws TransientFailure {@code CILIUM_NOT_READY} naming what is missing when the timeout ends
   */
  CiliumRollout await(String kubeconfigRef) {
    long deadline = System.nanoTime() + timeout.toNanos();
    CiliumRollout last = CiliumRollout.NOTHING;
    while (true) {
      try {
        last = installer.rollout(kubeconfigRef);
        if (last.ready()) {
          return last;
        }
      } catch (TransientFailure e) {
        log.warn("reading Cilium's status failed (will poll again): {}", e.getMessage());
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new TransientFailure(
            "CILIUM_NOT_READY",
            "Cilium is not ready after "
                + timeout
                + " (mesh.cilium.ready-timeout): "
                + last.missing());
      }
      pause();
    }
  }

  private void pause() {
    try {
      Thread.sleep(pollInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure("INTERRUPTED", "interrupted while waiting for Cilium", e);
    }
  }
}
