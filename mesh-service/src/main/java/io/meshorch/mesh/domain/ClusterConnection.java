package io.meshorch.mesh.domain;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one cluster must be told to join its mesh: every OTHER cluster, sorted by name, as the
 * Cilium chart's {@code clustermesh.config.clusters}.
 *
 * @param member the cluster to configure
 * @param remotes the clusters it must connect to
 */
public record ClusterConnection(ClusterMember member, List<RemoteCluster> remotes) {

  public ClusterConnection {
    remotes = List.copyOf(remotes);
  }

  /** The connect plan of a mesh: one entry per member, in name order. Pure. */
  public static List<ClusterConnection> plan(List<ClusterMember> members) {
    List<ClusterMember> sorted =
        members.stream().sorted(Comparator.comparing(ClusterMember::name)).toList();
    return sorted.stream()
        .map(
            m ->
                new ClusterConnection(
                    m,
                    sorted.stream()
                        .filter(o -> !o.name().equals(m.name()))
                        .map(ClusterMember::asRemote)
                        .toList()))
        .toList();
  }

  /** The data of Secret {@code cilium-clustermesh} (the agents'): remote name to config. */
  public Map<String, EtcdClientConfig> agentSecretData() {
    Map<String, EtcdClientConfig> data = new LinkedHashMap<>();
    remotes.forEach(r -> data.put(r.name(), r.agentConfig()));
    return data;
  }

  /** The data of Secret {@code cilium-kvstoremesh} (KVStoreMesh's): remote name to config. */
  public Map<String, EtcdClientConfig> kvstoremeshSecretData() {
    Map<String, EtcdClientConfig> data = new LinkedHashMap<>();
    remotes.forEach(r -> data.put(r.name(), r.kvstoremeshConfig()));
    return data;
  }
}
