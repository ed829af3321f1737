package io.meshorch.rke.port;

import java.nio.file.Path;

/**
 * Brings up Kubernetes on a cluster's nodes from a cluster file (RKE1 today; RKE2 can plug in
 * here). Idempotent: running it again on a cluster that is up converges and changes nothing.
 */
public interface KubernetesDeployerPort {

  /**
   * Deploys the cluster described by {@code clusterFile} and returns the admin kubeconfig it wrote
   * (a secret: the caller stores it and removes the file).
   *
   * @throws io.meshorch.kit.failure.TransientFailure {@code RKE_UP_FAILED} when the tool failed or
   *     timed out (RKE's documented fix is to run it again)
   */
  Path deploy(Path clusterFile);
}
