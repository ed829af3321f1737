package io.meshorch.rke.port;

import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.SshTarget;
import java.util.List;
import java.util.Optional;

/**
 * Brings up Kubernetes on nodes that are ready (reachable over SSH; for RKE1, Docker running). One
 * implementation per distribution (RKE1's {@code rke up}, RKE2 over SSH) behind the same
 * deployer-neutral {@link ClusterPlan}; {@link ClusterPlan#distribution()} picks one per cluster.
 *
 * <p>A deployment takes minutes (RKE1: 5 to 15 on a real cloud), so the port never makes its caller
 * wait: {@link #start} returns a {@link DeployRun} at once, which says when it ended.
 */
public interface KubernetesDeployerPort {

  /**
   * Starts deploying (or converging) the cluster of {@code plan}, or joins a deployment of the same
   * cluster that is already under way, and returns at once.
   *
   * <p>Never two deployments of one cluster at once: when one is running (started by an earlier
   * call, or by this service before it restarted) the returned run is that one ({@link
   * DeployRun#resumed()} tells the second case, {@link DeployRun#deploysPlan()} whether it deploys
   * this plan). A deployment that ended successfully while nobody was watching (e.g. while the
   * service restarted) is returned as a finished run with its result instead of deploying again.
   * Idempotent otherwise: deploying the same plan again converges the existing cluster.
   *
   * @throws io.meshorch.kit.failure.TerminalFailure {@code RKE_NOT_FOUND} when the deployer
   *     executable cannot be started, {@code RKE_WORK_DIR} when the work dir cannot be written
   */
  DeployRun start(ClusterPlan plan);

  /**
   * As {@link #start(ClusterPlan)}, for a deployer that works on the nodes over SSH itself (RKE2):
   * {@code nodes} are the plan's nodes in order, each with its verified host-key policy. A deployer
   * that opens no SSH session of its own (RKE1's {@code rke up} does, without this service) ignores
   * them.
   */
  default DeployRun start(ClusterPlan plan, List<SshTarget> nodes) {
    return start(plan);
  }

  /**
   * The Kubernetes version the last successful deployment of {@code plan}'s cluster installed, as
   * the deployer recorded it: also the deployer's default when the plan pins none. By default the
   * version the plan pins, if any.
   *
   * @return empty when neither the deployer nor the plan says
   */
  default Optional<String> deployedVersion(ClusterPlan plan) {
    return Optional.ofNullable(plan.kubernetesVersion()).filter(v -> !v.isBlank());
  }

  /**
   * Removes what the deployer keeps of cluster {@code cluster} of mesh {@code meshId} (RKE1: its
   * work directory with {@code cluster.yml}, {@code cluster.rkestate} and logs), killing a
   * deployment of it still under way. Removing a cluster it does not know is success.
   *
   * @return what was removed, e.g. the state directory; empty when there was nothing
   * @throws io.meshorch.kit.failure.TransientFailure {@code RKE_WORK_DIR} when it cannot be removed
   */
  List<String> remove(String meshId, String cluster);
}
