package io.meshorch.lb.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.ServiceResource;
import io.meshorch.kube.KubeCalls;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.domain.MeshEndpointService;
import io.meshorch.lb.port.MeshEndpointPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh endpoint Service through fabric8. An existing Service (e.g. the NodePort one Cilium's
 * chart creates) is edited in place: only its type, the mesh port if missing, an empty selector and
 * the pin annotation are changed.
 */
public final class Fabric8MeshEndpointAdapter implements MeshEndpointPort {
  private static final Logger log = LoggerFactory.getLogger(Fabric8MeshEndpointAdapter.class);
  private static final String NAME = MeshEndpointService.NAMESPACE + "/" + MeshEndpointService.NAME;

  private final KubeClientProvider clients;

  public Fabric8MeshEndpointAdapter(KubeClientProvider clients) {
    this.clients = clients;
  }

  @Override
  public void ensureService(String kubeconfigRef, MeshEndpointService wanted) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      ServiceResource<Service> resource = service(client);
      Service existing = KubeCalls.call("read Service " + NAME, resource::get);
      if (existing == null) {
        KubeCalls.call(
            "create Service " + NAME,
            () ->
                client
                    .services()
                    .inNamespace(MeshEndpointService.NAMESPACE)
                    .resource(desired(wanted))
                    .createOr(NonDeletingOperation::update));
        log.info("created LoadBalancer Service {}", NAME);
      } else if (!conforms(existing, wanted)) {
        KubeCalls.call("update Service " + NAME, () -> resource.edit(s -> conform(s, wanted)));
        log.info("turned Service {} (type {}) into a LoadBalancer", NAME, type(existing));
      }
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

  static Service desired(MeshEndpointService wanted) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(MeshEndpointService.NAME)
        .withNamespace(MeshEndpointService.NAMESPACE)
        .addToLabels(MeshEndpointService.SELECTOR)
        .addToAnnotations(wanted.annotations())
        .endMetadata()
        .withNewSpec()
        .withType(MeshEndpointService.TYPE)
        .withSelector(MeshEndpointService.SELECTOR)
        .withPorts(meshPort())
        .endSpec()
        .build();
  }

  private static ServicePort meshPort() {
    return new ServicePortBuilder()
        .withName(MeshEndpointService.PORT_NAME)
        .withProtocol("TCP")
        .withPort(MeshEndpointService.PORT)
        .withTargetPort(new IntOrString(MeshEndpointService.PORT))
        .build();
  }

  private static boolean conforms(Service s, MeshEndpointService wanted) {
    Map<String, String> annotations =
        s.getMetadata().getAnnotations() == null ? Map.of() : s.getMetadata().getAnnotations();
    return MeshEndpointService.TYPE.equals(type(s))
        && hasMeshPort(s)
        && s.getSpec().getSelector() != null
        && !s.getSpec().getSelector().isEmpty()
        && wanted.annotations().entrySet().stream()
            .allMatch(e -> Objects.equals(annotations.get(e.getKey()), e.getValue()));
  }

  private static Service conform(Service s, MeshEndpointService wanted) {
    s.getSpec().setType(MeshEndpointService.TYPE);
    if (!hasMeshPort(s)) {
      List<ServicePort> ports =
          new ArrayList<>(s.getSpec().getPorts() == null ? List.of() : s.getSpec().getPorts());
      ports.add(meshPort());
      s.getSpec().setPorts(ports);
    }
    if (s.getSpec().getSelector() == null || s.getSpec().getSelector().isEmpty()) {
      s.getSpec().setSelector(MeshEndpointService.SELECTOR);
    }
    Map<String, String> annotations =
        new HashMap<>(
            s.getMetadata().getAnnotations() == null ? Map.of() : s.getMetadata().getAnnotations());
    annotations.putAll(wanted.annotations());
    s.getMetadata().setAnnotations(annotations);
    return s;
  }

  private static boolean hasMeshPort(Service s) {
    return s.getSpec().getPorts() != null
        && s.getSpec().getPorts().stream()
            .anyMatch(p -> p.getPort() != null && p.getPort() == MeshEndpointService.PORT);
  }

  private static String type(Service s) {
    return s.getSpec() == null ? null : s.getSpec().getType();
  }
}
