package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** MetalLB address pools: CIDRs and a-b ranges, and which address a service asks for. */
final class Pools {
  private Pools() {}

  static Optional<long[]> parse(String text) {
    try {
      if (text.contains("/")) {
        String[] p = text.split("/");
        long base = ClusterYml.address("pool", p[0]);
        long size = 1L << (32 - Integer.parseInt(p[1]));
        return Optional.of(new long[] {base, base + size - 1});
      }
      String[] ends = text.split("-");
      return Optional.of(
          new long[] {
            ClusterYml.address("pool", ends[0].trim()), ClusterYml.address("pool", ends[1].trim())
          });
    } catch (RuntimeException e) {
      return Optional.empty(); // MetalLB ignores an invalid pool
    }
  }

  static Optional<String> ingressIp(Service s) {
    if (s.getStatus() == null
        || s.getStatus().getLoadBalancer() == null
        || s.getStatus().getLoadBalancer().getIngress() == null
        || s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
      return Optional.empty();
    }
    return Optional.ofNullable(s.getStatus().getLoadBalancer().getIngress().get(0).getIp());
  }

  static String requested(Service s) {
    var annotations = s.getMetadata().getAnnotations();
    if (annotations != null && annotations.get("metallb.io/loadBalancerIPs") != null) {
      return annotations.get("metallb.io/loadBalancerIPs").split(",")[0].trim();
    }
    return s.getSpec().getLoadBalancerIP();
  }

  /** The requested address if it is in a pool and free, else the first free one, else null. */
  static Long allocate(List<long[]> ranges, Set<Long> used, String requested) {
    if (requested != null && !requested.isBlank()) {
      long want = ClusterYml.address("loadBalancerIP", requested);
      boolean inPool = ranges.stream().anyMatch(r -> r[0] <= want && want <= r[1]);
      return inPool && !used.contains(want) ? want : null;
    }
    for (long[] r : ranges) {
      for (long a = r[0]; a <= r[1]; a++) {
        if (!used.contains(a)) {
          return a;
        }
      }
    }
    return null;
  }
}
