package io.meshorch.lb.support;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.meshorch.contracts.validation.Ipv4Block;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Plays MetalLB (and the kubelet under its controller) on a fabric8 mock API server: marks the
 * controller Deployment available and gives the mesh endpoint Service the pinned IP, or else the
 * first address of pool {@code mesh-pool}, in its status.
 */
public final class MetalLbPlayer implements AutoCloseable {
  private final KubernetesClient client;
  private ScheduledExecutorService loop;

  public MetalLbPlayer(KubernetesClient client) {
    this.client = client;
  }

  /** Marks {@code metallb-system/controller} available; false while it does not exist. */
  public boolean markControllerAvailable() {
    var controller =
        client.apps().deployments().inNamespace("metallb-system").withName("controller");
    Deployment d = controller.get();
    if (d == null) {
      return false;
    }
    if (d.getStatus() == null
        || d.getStatus().getAvailableReplicas() == null
        || d.getStatus().getAvailableReplicas() < 1) {
      controller.editStatus(
          x -> {
            x.setStatus(
                new DeploymentStatusBuilder()
                    .withReplicas(1)
                    .withReadyReplicas(1)
                    .withAvailableReplicas(1)
                    .withUpdatedReplicas(1)
                    .build());
            return x;
          });
    }
    return true;
  }

  /** Assigns the mesh endpoint its IP; false while there is no LoadBalancer Service or pool. */
  public boolean assignIp() {
    var endpoint = client.services().inNamespace("kube-system").withName("clustermesh-apiserver");
    Service s = endpoint.get();
    if (s == null || !"LoadBalancer".equals(s.getSpec().getType())) {
      return false;
    }
    if (s.getStatus() != null
        && s.getStatus().getLoadBalancer() != null
        && s.getStatus().getLoadBalancer().getIngress() != null
        && !s.getStatus().getLoadBalancer().getIngress().isEmpty()) {
      return true;
    }
    Optional<String> ip = pinned(s).or(this::firstPoolAddress);
    if (ip.isEmpty()) {
      return false;
    }
    assign(ip.get());
    return true;
  }

  /** Writes {@code ip} into the mesh endpoint Service's status, as MetalLB's controller does. */
  public void assign(String ip) {
    client
        .services()
        .inNamespace("kube-system")
        .withName("clustermesh-apiserver")
        .editStatus(
            x -> {
              x.setStatus(
                  new ServiceStatusBuilder()
                      .withNewLoadBalancer()
                      .withIngress(new LoadBalancerIngressBuilder().withIp(ip).build())
                      .endLoadBalancer()
                      .build());
              return x;
            });
  }

  private static Optional<String> pinned(Service s) {
    Map<String, String> annotations = s.getMetadata().getAnnotations();
    return Optional.ofNullable(
        annotations == null ? null : annotations.get("metallb.io/loadBalancerIPs"));
  }

  private Optional<String> firstPoolAddress() {
    GenericKubernetesResource pool =
        client
            .genericKubernetesResources("metallb.io/v1beta1", "IPAddressPool")
            .inNamespace("metallb-system")
            .withName("mesh-pool")
            .get();
    if (pool == null) {
      return Optional.empty();
    }
    List<String> addresses = pool.get("spec", "addresses");
    return Ipv4Block.parsePool(addresses.get(0)).map(b -> Ipv4Block.format(b.first()));
  }

  /** Plays in the background every {@code period} until closed. */
  public MetalLbPlayer start(Duration period) {
    loop = Executors.newSingleThreadScheduledExecutor();
    loop.scheduleWithFixedDelay(
        () -> {
          try {
            markControllerAvailable();
            assignIp();
          } catch (KubernetesClientException e) {
            // the API server may be between two writes of the service; play again next round
          }
        },
        0,
        period.toMillis(),
        TimeUnit.MILLISECONDS);
    return this;
  }

  @Override
  public void close() {
    if (loop != null) {
      loop.shutdownNow();
    }
  }
}
