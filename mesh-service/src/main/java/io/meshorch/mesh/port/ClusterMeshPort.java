package io.meshorch.mesh.port;

import io.meshorch.mesh.domain.AgentReport;
import io.meshorch.mesh.domain.ApiserverRollout;
import io.meshorch.mesh.domain.CiliumCa;
import io.meshorch.mesh.domain.RemoteCluster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The Cilium cluster-mesh side of one Kubernetes cluster of a mesh. */
public interface ClusterMeshPort {

  /**
   * The Cilium CA the cluster holds: the certificate in Secret {@code kube-system/cilium-ca} (key
   * {@code ca.crt}, else {@code tls.crt}, where cert-manager puts it), where {@code cilium
   * clustermesh connect} reads it. Read-only; only the certificate's fingerprint leaves the
   * adapter.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @return the CA, by its certificate's SHA-256 fingerprint
   * @throws io.meshorch.kit.failure.StepFailure transient (API unreachable), or terminal: {@code
   *     CILIUM_CA_MISSING} (no such Secret, or no certificate in it), {@code CILIUM_CA_INVALID}
   *     (not a PEM X.509 certificate), kubeconfig missing, request refused
   */
  CiliumCa ciliumCa(String kubeconfigRef);

  /**
   * Makes the cluster connect to exactly {@code remotes}, as the Cilium chart renders {@code
   * clustermesh.config.clusters} with KVStoreMesh on: Secret {@code kube-system/cilium-clustermesh}
   * (the agents: every remote through the local clustermesh-apiserver), Secret {@code
   * kube-system/cilium-kvstoremesh} (KVStoreMesh: {@code https://<name>.mesh.cilium.io:<port>} per
   * remote) and the host aliases of Deployment {@code kube-system/clustermesh-apiserver} (each
   * {@code <name>.mesh.cilium.io} to the remote's IP). Idempotent: applying the same remotes again
   * changes nothing.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @param remotes the other clusters of the mesh
   * @return true when something was written, false when all was in place
   * @throws io.meshorch.kit.failure.StepFailure transient (API unreachable, conflict) or terminal
   *     (kubeconfig missing, Cilium not installed, request refused)
   */
  boolean writeMeshConfig(String kubeconfigRef, List<RemoteCluster> remotes);

  /**
   * Where Deployment {@code kube-system/clustermesh-apiserver} stands in rolling out its current
   * template: new host aliases restart its pods, and until the new ones run, KVStoreMesh dials the
   * remotes with the old ones, so reading the agents before is wasted work. Read-only.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @throws io.meshorch.kit.failure.StepFailure transient (API unreachable) or terminal (kubeconfig
   *     missing, no such Deployment: {@code CILIUM_NOT_INSTALLED}, request refused)
   */
  ApiserverRollout apiserverRollout(String kubeconfigRef);

  /**
   * Calls {@code onChange} on every change of the cluster's {@code clustermesh-apiserver}
   * Deployment until closed. Best effort: when the watch cannot be opened or breaks, the caller's
   * re-checks still find the rollout's end.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @param onChange called from a watch thread, after what the change showed is kept for {@link
   *     ApiserverWatch#seen}; must be quick and must not throw
   * @return what the watch has seen, and what closes it
   */
  ApiserverWatch watchApiserver(String kubeconfigRef, Runnable onChange);

  /** A watch of one cluster's {@code clustermesh-apiserver} Deployment. */
  interface ApiserverWatch extends AutoCloseable {
    /**
     * The rollout as the watch's latest event showed it, without reading the API: present when an
     * event carried the Deployment since the watch was (re)opened and came within {@code fresh}.
     */
    Optional<ApiserverRollout> seen(Duration fresh);

    @Override
    void close();
  }

  /**
   * Asks every Cilium agent pod of the cluster (label {@code k8s-app=cilium} in kube-system) what
   * it sees, through {@code cilium-dbg node list -o json} and {@code cilium-dbg status -o json};
   * with {@code explainGaps}, a remote an agent lacks carries the cause KVStoreMesh reports for it
   * ({@code clustermesh-apiserver kvstoremesh-dbg status -o json}), when it can be read. Read-only;
   * each exec is bounded by the adapter's exec timeout. An agent that cannot be read is reported as
   * {@link AgentReport#unreadable unreadable} rather than failing the call.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @param explainGaps whether to ask KVStoreMesh why a remote is missing (one exec more)
   * @return one report per agent pod; empty when the cluster has no agent pods
   * @throws io.meshorch.kit.failure.StepFailure when the pods cannot be listed
   */
  List<AgentReport> agentReports(String kubeconfigRef, boolean explainGaps);
}
