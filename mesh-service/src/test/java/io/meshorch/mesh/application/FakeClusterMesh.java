package io.meshorch.mesh.application;

import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.mesh.domain.AgentReport;
import io.meshorch.mesh.domain.RemoteCluster;
import io.meshorch.mesh.domain.RemoteStatus;
import io.meshorch.mesh.port.ClusterMeshPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clusters that behave like Cilium: an agent sees the nodes of a remote once its configuration
 * names the remote, unless the remote is marked unreachable. Keyed by kubeconfig reference.
 */
final class FakeClusterMesh implements ClusterMeshPort {
  /** A cluster: its name and nodes. */
  record Cluster(String name, List<String> nodes) {}

  private final Map<String, Cluster> clusters = new ConcurrentHashMap<>();
  private final Map<String, List<RemoteCluster>> configs = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();
  private final Set<String> refusing = ConcurrentHashMap.newKeySet();

  void add(String kubeconfigRef, String name, List<String> nodes) {
    clusters.put(kubeconfigRef, new Cluster(name, nodes));
  }

  void unreachable(String clusterName) {
    unreachable.add(clusterName);
  }

  void refuseWrites(String kubeconfigRef) {
    refusing.add(kubeconfigRef);
  }

  int writes(String kubeconfigRef) {
    return writes.getOrDefault(kubeconfigRef, new AtomicInteger()).get();
  }

  List<RemoteCluster> config(String kubeconfigRef) {
    return configs.getOrDefault(kubeconfigRef, List.of());
  }

  @Override
  public boolean writeMeshConfig(String kubeconfigRef, List<RemoteCluster> remotes) {
    if (refusing.contains(kubeconfigRef)) {
      throw new TerminalFailure("KUBE_API_REJECTED", "forbidden: secrets is forbidden");
    }
    if (remotes.equals(configs.get(kubeconfigRef))) {
      return false;
    }
    configs.put(kubeconfigRef, List.copyOf(remotes));
    writes.computeIfAbsent(kubeconfigRef, k -> new AtomicInteger()).incrementAndGet();
    return true;
  }

  @Override
  public List<AgentReport> agentReports(String kubeconfigRef) {
    Cluster local = clusters.get(kubeconfigRef);
    List<String> nodes = new ArrayList<>();
    local.nodes().forEach(n -> nodes.add(local.name() + "/" + n));
    List<RemoteStatus> statuses = new ArrayList<>();
    for (RemoteCluster remote : config(kubeconfigRef)) {
      Cluster target =
          clusters.values().stream().filter(c -> c.name().equals(remote.name())).findFirst().get();
      if (unreachable.contains(remote.name())) {
        statuses.add(
            new RemoteStatus(
                remote.name(),
                false,
                "not connected",
                0,
                "dial tcp " + remote.ip() + ":2379: i/o timeout"));
      } else {
        target.nodes().forEach(n -> nodes.add(remote.name() + "/" + n));
        statuses.add(new RemoteStatus(remote.name(), true, "ok", target.nodes().size(), null));
      }
    }
    return List.of(AgentReport.of("cilium-" + local.name(), nodes, statuses));
  }
}
