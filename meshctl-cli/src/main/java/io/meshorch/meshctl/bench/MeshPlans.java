package io.meshorch.meshctl.bench;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.contracts.MeshRequested;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Valid mesh requests for a benchmark, with address blocks unique across everything one sandbox
 * runs: the validator only keeps a mesh's own blocks apart, but the sandbox's MetalLB registry is
 * sandbox-wide (a LoadBalancer IP must belong to one cluster), so every cluster this planner hands
 * out gets its own pod CIDR ({@code 10.0.0.0/9} in /20s), service CIDR ({@code 10.128.0.0/9} in
 * /20s) and a four-address pool in {@code 172.16.0.0/12}. Not thread-safe.
 */
public final class MeshPlans {
  /** Blocks available: 2048 /20s in each half of 10.0.0.0/8. */
  static final int MAX_CLUSTERS = 2048;

  private static final MachineSpec MACHINE =
      new MachineSpec("ubuntu-22.04", "m1.large", "mesh-net", "mesh", "ubuntu");
  private int next;

  /** The name of cluster {@code i} (1-based) of a benchmark mesh: {@code c01}, {@code c02}... */
  public static String clusterName(int i) {
    return String.format(Locale.ROOT, "c%02d", i);
  }

  /** A mesh of {@code clusters} clusters of {@code nodes} nodes each, named c01, c02... */
  public MeshRequested mesh(int clusters, int nodes) {
    if (clusters < 1 || clusters > 255) {
      throw new IllegalArgumentException("clusters must be 1..255, found " + clusters);
    }
    List<ClusterSpec> out = new ArrayList<>();
    for (int i = 1; i <= clusters; i++) {
      out.add(cluster(clusterName(i), i, nodes));
    }
    return new MeshRequested(out);
  }

  /** One cluster named {@code name} with Cilium cluster ID {@code id}, fresh address blocks. */
  public ClusterSpec cluster(String name, int id, int nodes) {
    if (next >= MAX_CLUSTERS) {
      throw new IllegalStateException("more than " + MAX_CLUSTERS + " clusters in one sandbox");
    }
    int g = next++;
    long pod = address(10, 0, 0, 0) + (long) g * 4096;
    long service = address(10, 128, 0, 0) + (long) g * 4096;
    long pool = address(172, 16, 0, 0) + (long) g * 4;
    return new ClusterSpec(
        name,
        id,
        nodes,
        dotted(pod) + "/20",
        dotted(service) + "/20",
        dotted(pool) + "-" + dotted(pool + 3),
        MACHINE);
  }

  private static long address(int a, int b, int c, int d) {
    return ((long) a << 24) | ((long) b << 16) | ((long) c << 8) | d;
  }

  static String dotted(long value) {
    return ((value >> 24) & 255)
        + "."
        + ((value >> 16) & 255)
        + "."
        + ((value >> 8) & 255)
        + "."
        + (value & 255);
  }
}
