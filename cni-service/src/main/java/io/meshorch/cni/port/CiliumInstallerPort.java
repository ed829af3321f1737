package io.meshorch.cni.port;

import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumInstall;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.MeshCa;
import java.time.Duration;
import java.util.Optional;

/** Cilium in one cluster, reached through the admin kubeconfig kept in the secret store. */
public interface CiliumInstallerPort {

  /**
   * Reads Secret {@code kube-system/cilium-ca} and tells whether it is absent, holds {@code ca}, or
   * holds another CA. Reads only.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors
   */
  CaSecretOutcome caSecret(String kubeconfigRef, MeshCa ca);

  /**
   * Renders the official Cilium chart with {@code install}'s values and applies every object it
   * renders, plus the local client-certificate Secret the chart leaves out when certificates are
   * provided, all marked as Helm release {@code cilium} in {@code kube-system}. Idempotent: the
   * same install gives the same objects, and an unchanged object applied again changes nothing;
   * fields other writers own (the agents' {@code hostAliases}, a Service's pinned-IP annotation,
   * status) are kept.
   *
   * @return the Cilium version installed (the agent image's tag, without {@code v})
   * @throws io.meshorch.kit.failure.StepFailure classified Kubernetes API errors; {@code
   *     CILIUM_CHART_REFUSED} (terminal) when Helm refuses the values
   */
  String apply(String kubeconfigRef, CiliumInstall install);

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
   * @param onChange called from a watch thread, after what the change showed is kept for {@link
   *     RolloutWatch#seen}; must be quick and must not throw
   * @return what the watches have seen, and what stops them and releases the connection; closing it
   *     twice is harmless
   * @throws io.meshorch.kit.failure.StepFailure when the kubeconfig is missing or unusable
   */
  RolloutWatch watchRollout(String kubeconfigRef, Runnable onChange);

  /** Watches of Cilium's rollout in one cluster. */
  interface RolloutWatch extends AutoCloseable {
    /**
     * The rollout as the watches' events showed it, without reading the API: present when events
     * carried each of the three workloads since the watches were (re)opened and the last event came
     * within {@code fresh}. Newer than any read made before those events; a read is still what
     * tells that the rollout is done, and what a waiting step relies on when the watches are quiet.
     */
    Optional<CiliumRollout> seen(Duration fresh);

    @Override
    void close();
  }
}
