package io.meshorch.lb.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ServiceResource;
import io.meshorch.kube.KubeApply;
import io.meshorch.kube.KubeCalls;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.domain.MeshEndpointService;
import io.meshorch.lb.port.MeshEndpointPort;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh endpoint Service through fabric8. The Service is Cilium's (cni-service applies it with
 * the chart); lb-service reads it, never creates it, and applies only the field it owns, the pin
 * annotation, with its own field manager ({@code meshorch-lb}), so neither service removes what the
 * other set.
 */
public final class Fabric8MeshEndpointAdapter implements MeshEndpointPort {
  private static final Logger log = LoggerFactory.getLogger(Fabric8MeshEndpointAdapter.class);
  private static final String NAME = MeshEndpointService.NAMESPACE + "/" + MeshEndpointService.NAME;

  private final KubeClientProvider clients;
  private final KubeApply kube = new KubeApply("lb");

  public Fabric8MeshEndpointAdapter(KubeClientProvider clients) {
    this.clients = clients;
  }

  @Override
  public Optional<String> serviceType(String kubeconfigRef) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      Service service = KubeCalls.call("read Service " + NAME, service(client)::get);
      if (service == null) {
        return Optional.empty();
      }
      String type = service.getSpec() == null ? null : service.getSpec().getType();
      return Optional.of(type == null ? MeshEndpointService.DEFAULT_TYPE : type);
    }
  }

  @Override
  public void applyOwnedFields(String kubeconfigRef, MeshEndpointService wanted) {
    if (wanted.annotations().isEmpty()) {
      return;
    }
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      kube.apply(client, ownedFields(wanted));
      log.info("applied {} on Service {}", wanted.annotations(), NAME);
    }
  }

  @Override
  public Optional<String> assignedIp(String kubeconfigRef) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      Service service = KubeCalls.call("read Service " + NAME, service(client)::get);
      if (service == null
          || service.getStatus() == null
          || service.getStatus().getLoadBalancer() == null) {
        return Optional.empty();
      }
      List<LoadBalancerIngress> ingress = service.getStatus().getLoadBalancer().getIngress();
      return ingress == null || ingress.isEmpty()
          ? Optional.empty()
          : Optional.ofNullable(ingress.get(0).getIp()).filter(ip -> !ip.isBlank());
    }
  }

  @Override
  public AutoCloseable watchService(String kubeconfigRef, Runnable onChange) {
    return ClusterWatch.open(
        clients, kubeconfigRef, "Service " + NAME, Fabric8MeshEndpointAdapter::service, onChange);
  }

  private static ServiceResource<Service> service(KubernetesClient client) {
    return client
        .services()
        .inNamespace(MeshEndpointService.NAMESPACE)
        .withName(MeshEndpointService.NAME);
  }

  /** Only the fields lb-service owns on the Service: the pin annotation. */
  static Service ownedFields(MeshEndpointService wanted) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(MeshEndpointService.NAME)
        .withNamespace(MeshEndpointService.NAMESPACE)
        .addToAnnotations(wanted.annotations())
        .endMetadata()
        .build();
  }
}
