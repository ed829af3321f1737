package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.LoadBalancerStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshorch.sandbox.core.SandboxStep;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays MetalLB (0.13+, layer 2) on one cluster: once Deployment {@code metallb-system/controller}
 * is available and the CRDs {@code ipaddresspools.metallb.io} and {@code
 * l2advertisements.metallb.io} exist, every Service of type LoadBalancer without an address gets
 * one from the {@code IPAddressPool}s ({@code metallb.io/v1beta1}, {@code spec.addresses}: CIDRs or
 * {@code a-b} ranges) that an {@code L2Advertisement} announces (no {@code spec.ipAddressPools}
 * means all pools). A requested address (annotation {@code metallb.io/loadBalancerIPs}, the older
 * {@code metallb.universe.tf/loadBalancerIPs}, or {@code spec.loadBalancerIP}) is given only if it
 * is in an announced pool and free; otherwise the service stays pending, as with MetalLB. Pools
 * with {@code spec.autoAssign: false} serve only requested addresses. Also refreshes the
 * sandbox-wide LoadBalancer IP registry.
 *
 * <p>A Service gets its address {@code lb-ip} after it became assignable (MetalLB running, an
 * address for it in an announced pool); the pass that assigns it is scheduled for that moment.
 */
final class MetalLbController {
  private static final Logger log = LoggerFactory.getLogger(MetalLbController.class);
  static final String NS = "metallb-system";
  static final String API = "metallb.io/v1beta1";

  private final SandboxKube sandbox;
  private final MetalLbControllerStartup startup;

  MetalLbController(SandboxKube sandbox) {
    this.sandbox = sandbox;
    this.startup = new MetalLbControllerStartup(sandbox);
  }

  /** One announced pool: name, whether it auto-assigns, and its inclusive address ranges. */
  private record Pool(String name, boolean autoAssign, List<long[]> ranges) {
    boolean contains(long ip) {
      return ranges.stream().anyMatch(r -> r[0] <= ip && ip <= r[1]);
    }
  }

  void reconcile(SandboxCluster cluster) {
    startup.reconcile(cluster);
    KubernetesClient client = cluster.controllerClient();
    ClusterReads reads = cluster.reads();
    List<Service> services = reads.list(Service.class);
    Set<String> assigned = new HashSet<>();
    Set<Long> used = new HashSet<>();
    for (Service s : services) {
      ingressIp(s)
          .ifPresent(
              ip -> {
                assigned.add(ip);
                parseIp(ip).ifPresent(used::add);
              });
    }
    Set<String> assignable = new HashSet<>();
    if (running(reads, cluster.activity())) {
      List<Pool> pools = announcedPools(reads);
      for (Service s : services) {
        if (!"LoadBalancer".equals(s.getSpec().getType())
            || s.getSpec().getLoadBalancerClass() != null
            || ingressIp(s).isPresent()
            || pools.isEmpty()) {
          continue;
        }
        Long ip = allocate(pools, used, s);
        if (ip == null) {
          continue;
        }
        String uid = s.getMetadata().getUid();
        assignable.add(uid);
        Instant now = Instant.now();
        Instant due =
            cluster
                .activity()
                .assignableSince(uid, now)
                .plus(sandbox.latencies().of(SandboxStep.LB_IP, cluster.ref()));
        if (now.isBefore(due)) {
          cluster.activity().wakeUpAt(due);
          used.add(ip);
          continue;
        }
        String address = ClusterYml.format(ip);
        if (assign(client, s, address, cluster)) {
          cluster.activity().assigned(uid);
          sandbox
              .recorder()
              .finished(
                  SandboxStep.LB_IP,
                  cluster.ref(),
                  "Service " + s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(),
                  Instant.now());
          used.add(ip);
          assigned.add(address);
        }
      }
    }
    cluster.activity().retainAssignable(assignable);
    sandbox.registerLoadBalancerIps(cluster, assigned);
  }

  private static boolean running(ClusterReads reads, ClusterActivity activity) {
    Deployment controller = reads.deployment(NS, "controller");
    return controller != null
        && controller.getStatus() != null
        && controller.getStatus().getAvailableReplicas() != null
        && controller.getStatus().getAvailableReplicas() > 0
        && activity.hasCrd("ipaddresspools.metallb.io")
        && activity.hasCrd("l2advertisements.metallb.io");
  }

  private static List<Pool> announcedPools(ClusterReads reads) {
    List<GenericKubernetesResource> ads = reads.custom(API, "l2advertisements", NS);
    if (ads.isEmpty()) {
      return List.of();
    }
    Set<String> announced = new HashSet<>();
    boolean all = false;
    for (GenericKubernetesResource ad : ads) {
      Object names = spec(ad).get("ipAddressPools");
      if (names instanceof List<?> list && !list.isEmpty()) {
        list.forEach(n -> announced.add(String.valueOf(n)));
      } else if (spec(ad).get("ipAddressPoolSelectors") == null) {
        all = true;
      }
    }
    List<Pool> pools = new ArrayList<>();
    for (GenericKubernetesResource p : reads.custom(API, "ipaddresspools", NS)) {
      String name = p.getMetadata().getName();
      if (!all && !announced.contains(name)) {
        continue;
      }
      List<long[]> ranges = new ArrayList<>();
      if (spec(p).get("addresses") instanceof List<?> addresses) {
        for (Object a : addresses) {
          parseRange(String.valueOf(a)).ifPresent(ranges::add);
        }
      }
      pools.add(new Pool(name, !Boolean.FALSE.equals(spec(p).get("autoAssign")), ranges));
    }
    return pools;
  }

  private static Map<?, ?> spec(GenericKubernetesResource r) {
    return r.getAdditionalProperties().get("spec") instanceof Map<?, ?> m ? m : Map.of();
  }

  /** The requested address if announced and free, else the first free auto-assign address. */
  private static Long allocate(List<Pool> pools, Set<Long> used, Service s) {
    Map<String, String> annotations =
        s.getMetadata().getAnnotations() == null ? Map.of() : s.getMetadata().getAnnotations();
    String poolName = annotations.get("metallb.io/address-pool");
    List<Pool> candidates =
        pools.stream().filter(p -> poolName == null || p.name().equals(poolName)).toList();
    String requested =
        annotations.getOrDefault(
            "metallb.io/loadBalancerIPs",
            annotations.getOrDefault(
                "metallb.universe.tf/loadBalancerIPs", s.getSpec().getLoadBalancerIP()));
    if (requested != null && !requested.isBlank()) {
      Optional<Long> want = parseIp(requested.split(",")[0].trim());
      return want.filter(ip -> !used.contains(ip))
          .filter(ip -> candidates.stream().anyMatch(p -> p.contains(ip)))
          .orElse(null);
    }
    for (Pool pool : candidates) {
      if (!pool.autoAssign()) {
        continue;
      }
      for (long[] r : pool.ranges()) {
        for (long a = r[0]; a <= r[1]; a++) {
          if (!used.contains(a)) {
            return a;
          }
        }
      }
    }
    return null;
  }

  private static boolean assign(
      KubernetesClient client, Service s, String address, SandboxCluster cluster) {
    try {
      client
          .services()
          .inNamespace(s.getMetadata().getNamespace())
          .withName(s.getMetadata().getName())
          .editStatus(
              fresh -> {
                fresh.setStatus(
                    new ServiceStatusBuilder()
                        .withLoadBalancer(
                            new LoadBalancerStatusBuilder()
                                .withIngress(
                                    new LoadBalancerIngressBuilder()
                                        .withIp(address)
                                        .withIpMode("VIP")
                                        .build())
                                .build())
                        .build());
                return fresh;
              });
      log.info(
          "metallb: service {}/{} of cluster {} got {}",
          s.getMetadata().getNamespace(),
          s.getMetadata().getName(),
          cluster.name(),
          address);
      return true;
    } catch (KubernetesClientException e) {
      cluster.settled = false;
      log.debug("metallb: {} not assigned yet: {}", s.getMetadata().getName(), e.getMessage());
      return false;
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

  private static Optional<Long> parseIp(String text) {
    try {
      return Optional.of(ClusterYml.address("ip", text));
    } catch (ClusterYml.Invalid e) {
      return Optional.empty();
    }
  }

  /** A pool entry as an inclusive range, or empty when invalid (MetalLB ignores those). */
  static Optional<long[]> parseRange(String text) {
    try {
      if (text.contains("/")) {
        String[] p = text.trim().split("/");
        int bits = Integer.parseInt(p[1]);
        if (bits < 0 || bits > 32) {
          return Optional.empty();
        }
        long size = 1L << (32 - bits);
        long base = ClusterYml.address("pool", p[0]) & ~(size - 1);
        return Optional.of(new long[] {base, base + size - 1});
      }
      String[] ends = text.split("-");
      long from = ClusterYml.address("pool", ends[0].trim());
      long to = ClusterYml.address("pool", ends[1].trim());
      return from <= to ? Optional.of(new long[] {from, to}) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
