package io.meshorch.rke.port;

import io.meshorch.rke.domain.ClusterPlan;
import io.meshorch.rke.domain.Kubeconfig;

/**
 * Brings up Kubernetes on nodes that are ready (reachable over SSH, Docker running). One
 * implementation per distribution (RKE1's {@code rke up} today; RKE2 over SSH can come later)
 * behind the same deployer-neutral {@link ClusterPlan}.
 */
public interface KubernetesDeployerPort {

  /**
   * Deploys (or converges) the cluster described by {@code plan} and returns its admin kubeconfig.
   * Idempotent: deploying the same plan again converges the existing cluster and returns a
   * kubeconfig for it. No plain copy of the kubeconfig is left behind on disk.
   *
   * @throws io.meshorch.kit.failure.TransientFailure {@code RKE_UP_FAILED} when the deployment
   *     still fails after the deployer's bounded retries
   * @throws io.meshorch.kit.failure.TerminalFailure {@code RKE_NOT_FOUND} when the deployer
   *     executable cannot be started, {@code RKE_WORK_DIR} when the work dir cannot be written
   */
  Kubeconfig deploy(ClusterPlan plan);
}
