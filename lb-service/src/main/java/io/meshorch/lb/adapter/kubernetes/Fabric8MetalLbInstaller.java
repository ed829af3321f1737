package io.meshorch.lb.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.meshorch.kube.KubeCalls;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.kube.KubeFailures;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.lb.domain.PoolWrite;
import io.meshorch.lb.port.MetalLbPort;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs MetalLB with fabric8, object by object, with create-or-update (server-side apply is not
 * used so that the same code runs against the fabric8 mock server). Every method is one round of
 * API calls; waiting for the controller and its webhook is the caller's (a step's) business.
 */
public final class Fabric8MetalLbInstaller implements MetalLbPort {
  private static final Logger log = LoggerFactory.getLogger(Fabric8MetalLbInstaller.class);
  private static final String NS = MetalLbRelease.NAMESPACE;
  private static final String CONTROLLER = NS + "/" + MetalLbRelease.CONTROLLER;

  /** What the API server answers (HTTP 500) when it cannot reach a validating webhook. */
  private static final String WEBHOOK_UNREACHABLE = "failed calling webhook";

  private final KubeClientProvider clients;

  /**
   * @param clients builds clients from kubeconfig references
   */
  public Fabric8MetalLbInstaller(KubeClientProvider clients) {
    this.clients = clients;
  }

  @Override
  public void install(String kubeconfigRef, MetalLbRelease release) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      apply(client, MetalLbManifests.namespace());
      MetalLbManifests.crds().forEach(crd -> apply(client, crd));
      for (String component : List.of(MetalLbRelease.CONTROLLER, MetalLbRelease.SPEAKER)) {
        apply(client, MetalLbManifests.serviceAccount(component));
        apply(client, MetalLbManifests.clusterRole(component));
        apply(client, MetalLbManifests.clusterRoleBinding(component));
      }
      apply(client, MetalLbManifests.controller(release));
      apply(client, MetalLbManifests.speaker(release));
      log.info("MetalLB v{} applied in {}", release.version(), NS);
    }
  }

  @Override
  public boolean controllerAvailable(String kubeconfigRef) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      Deployment controller =
          KubeCalls.call("read Deployment " + CONTROLLER, controller(client)::get);
      return controller != null
          && controller.getStatus() != null
          && controller.getStatus().getAvailableReplicas() != null
          && controller.getStatus().getAvailableReplicas() >= 1;
    }
  }

  @Override
  public AutoCloseable watchController(String kubeconfigRef, Runnable onChange) {
    return ClusterWatch.open(
        clients,
        kubeconfigRef,
        "Deployment " + CONTROLLER,
        Fabric8MetalLbInstaller::controller,
        onChange);
  }

  private static RollableScalableResource<Deployment> controller(KubernetesClient client) {
    return client.apps().deployments().inNamespace(NS).withName(MetalLbRelease.CONTROLLER);
  }

  @Override
  public PoolWrite configurePool(String kubeconfigRef, AddressPoolSpec pool) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      for (GenericKubernetesResource resource :
          List.of(MetalLbManifests.pool(pool), MetalLbManifests.l2Advertisement())) {
        Optional<String> refusal = applyCustom(client, resource);
        if (refusal.isPresent()) {
          return new PoolWrite.NotServedYet(refusal.get());
        }
      }
      GenericKubernetesResource stored =
          KubeCalls.call(
              "read IPAddressPool " + AddressPoolSpec.POOL_NAME,
              () ->
                  client
                      .genericKubernetesResources(
                          MetalLbRelease.API_VERSION, MetalLbManifests.POOL_KIND)
                      .inNamespace(NS)
                      .withName(AddressPoolSpec.POOL_NAME)
                      .get());
      List<String> addresses = stored == null ? null : stored.get("spec", "addresses");
      return new PoolWrite.Stored(addresses == null ? List.of() : addresses);
    }
  }

  /** Creates or updates {@code resource}; the API server's message if the webhook is not served. */
  private static Optional<String> applyCustom(
      KubernetesClient client, GenericKubernetesResource resource) {
    String what = "apply " + resource.getKind() + " " + NS + "/" + resource.getMetadata().getName();
    try {
      client
          .genericKubernetesResources(resource.getApiVersion(), resource.getKind())
          .inNamespace(NS)
          .resource(resource)
          .createOr(NonDeletingOperation::update);
    } catch (KubernetesClientException e) {
      String message = message(e);
      if (e.getCode() >= 500 && message.toLowerCase(Locale.ROOT).contains(WEBHOOK_UNREACHABLE)) {
        log.info("{}: MetalLB's webhook is not served yet ({})", what, message);
        return Optional.of(what + " refused: " + message);
      }
      throw KubeFailures.classify(what, e);
    }
    log.info("applied {} {}/{}", resource.getKind(), NS, resource.getMetadata().getName());
    return Optional.empty();
  }

  private static String message(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return e.getMessage() == null ? "" : e.getMessage();
  }

  private static <T extends HasMetadata> void apply(KubernetesClient client, T resource) {
    String what = "apply " + resource.getKind() + " " + resource.getMetadata().getName();
    KubeCalls.call(what, () -> client.resource(resource).createOr(NonDeletingOperation::update));
    log.info("applied {} {}", resource.getKind(), resource.getMetadata().getName());
  }
}
