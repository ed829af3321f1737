package io.meshorch.testkit;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.NodeInfo;
import java.util.ArrayList;
import java.util.List;

/** Valid sample specs for tests: cluster {@code n} gets ID n and its own address blocks. */
public final class Samples {
  private Samples() {}

  /** The machine settings the sandbox cloud accepts (network {@code mesh-net}, keypair mesh). */
  public static MachineSpec machine() {
    return new MachineSpec("ubuntu-22.04", "m1.large", "mesh-net", "mesh", "ubuntu");
  }

  /** Cluster number {@code n} (1..200) with {@code nodes} nodes and disjoint CIDRs and pool. */
  public static ClusterSpec cluster(String name, int n, int nodes) {
    return new ClusterSpec(
        name,
        n,
        nodes,
        "10." + (100 + n) + ".0.0/16",
        "10." + (200 + n % 50) + ".0.0/16",
        "192.168." + (50 + n) + ".10-192.168." + (50 + n) + ".19",
        machine());
  }

  /** Node descriptions as infra-service would publish them for {@code cluster}. */
  public static List<NodeInfo> nodes(String meshId, ClusterSpec cluster) {
    List<NodeInfo> nodes = new ArrayList<>();
    for (int i = 0; i < cluster.nodeCount(); i++) {
      nodes.add(
          new NodeInfo(
              "mesh-" + meshId + "-" + cluster.name() + "-node-" + i,
              "server-" + cluster.name() + "-" + i,
              "port-" + cluster.name() + "-" + i,
              "127.10." + cluster.id() + "." + (10 + i),
              List.of()));
    }
    return nodes;
  }
}
