package io.meshorch.mesh.port;

import io.meshorch.mesh.domain.AgentReport;
import io.meshorch.mesh.domain.RemoteCluster;
import java.util.List;

/** The Cilium cluster-mesh side of one Kubernetes cluster of a mesh. */
public interface ClusterMeshPort {

  /**
   * Makes the cluster's Cilium agents connect to exactly {@code remotes}: Secret {@code
   * kube-system/cilium-clustermesh} holds one etcd config per remote (key = remote name), and the
   * pod template of DaemonSet {@code kube-system/cilium} maps each {@code <name>.mesh.cilium.io} to
   * the remote's IP through {@code hostAliases}. Idempotent: nothing is written when the cluster
   * already has this configuration.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @param remotes the other clusters of the mesh
   * @return true when something was written, false when all was in place
   * @throws io.meshorch.kit.failure.StepFailure transient (API unreachable, conflict) or terminal
   *     (kubeconfig missing, Cilium not installed, request refused)
   */
  boolean writeMeshConfig(String kubeconfigRef, List<RemoteCluster> remotes);

  /**
   * Asks every Cilium agent pod of the cluster (label {@code k8s-app=cilium} in kube-system) what
   * it sees, through {@code cilium-dbg node list -o json} and {@code cilium-dbg status -o json}.
   * Read-only; each exec is bounded by the adapter's exec timeout. An agent that cannot be read is
   * reported as {@link AgentReport#unreadable unreadable} rather than failing the call.
   *
   * @param kubeconfigRef secret-store reference of the cluster's admin kubeconfig
   * @return one report per agent pod; empty when the cluster has no agent pods
   * @throws io.meshorch.kit.failure.StepFailure when the pods cannot be listed
   */
  List<AgentReport> agentReports(String kubeconfigRef);
}
