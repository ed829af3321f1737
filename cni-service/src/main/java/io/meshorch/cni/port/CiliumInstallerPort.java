package io.meshorch.cni.port;

import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumManifest;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.MeshCa;

/** Cilium in one cluster, reached through the admin kubeconfig kept in the secret store. */
public interface CiliumInstallerPort {

  /**
   * Creates Secret {@code kube-system/cilium-ca} with {@code ca}, unless it exists; never
   * overwrites it. Idempotent.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @return whether it was created, already held {@code ca}, or holds another CA (left untouched)
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  CaSecretOutcome ensureCaSecret(String kubeconfigRef, MeshCa ca);

  /**
   * Creates or updates the ConfigMap, service accounts and workloads of {@code manifest}.
   * Idempotent: fixed names, the same manifest yields the same objects; fields other services own
   * (the agents' {@code hostAliases}, written by mesh-service) are kept.
   *
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  void apply(String kubeconfigRef, CiliumManifest manifest);

  /**
   * Reads the status of the agents' DaemonSet and the two Deployments; missing objects count as
   * nothing ready. Reads only.
   *
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  CiliumRollout rollout(String kubeconfigRef);

  /**
   * Watches the agents' DaemonSet and the Deployments of {@code kube-system}: every change (and the
   * end of a watch) calls {@code onChange}, so that a step waiting for the rollout looks at once
   * instead of at its next re-check. Best effort: a watch that cannot be opened or breaks later
   * only slows detection down, so callers keep re-checking {@link #rollout} on their own schedule.
   * Reads only.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @param onChange called from a watch thread; must be quick and must not throw
   * @return what stops the watches and releases the connection; closing it twice is harmless
   * @throws io.meshorch.kit.failure.StepFailure when the kubeconfig is missing or unusable
   */
  AutoCloseable watchRollout(String kubeconfigRef, Runnable onChange);
}
