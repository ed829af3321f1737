package io.meshorch.lb.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kit.retry.Retrier;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.kube.KubeFailures;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.lb.port.MetalLbPort;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs MetalLB with fabric8, object by object, with create-or-update (server-side apply is not
 * used so that the same code runs against the fabric8 mock server). Configures the pool only once
 * the controller is available, because the controller serves the webhook that validates pools.
 */
public final class Fabric8MetalLbInstaller implements MetalLbPort {
  private static final Logger log = LoggerFactory.getLogger(Fabric8MetalLbInstaller.class);
  private static final String NS = MetalLbRelease.NAMESPACE;

  private final KubeClientProvider clients;
  private final Retrier webhookRetrier;
  private final Duration pollInterval;

  /**
   * @param clients builds clients from kubeconfig references
   * @param webhookBackoff retries of pool writes the webhook refuses while it starts
   * @param pollInterval pause between two readiness checks of the controller
   */
  public Fabric8MetalLbInstaller(
      KubeClientProvider clients, Backoff webhookBackoff, Duration pollInterval) {
    this.clients = clients;
    this.webhookRetrier = new Retrier(webhookBackoff);
    this.pollInterval = pollInterval;
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
  public List<String> configurePool(
      String kubeconfigRef, AddressPoolSpec pool, Duration controllerTimeout) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      awaitController(client, controllerTimeout);
      applyCustom(client, MetalLbManifests.pool(pool));
      applyCustom(client, MetalLbManifests.l2Advertisement());
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
      return addresses == null ? List.of() : List.copyOf(addresses);
    }
  }

  private void awaitController(KubernetesClient client, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String what = "read Deployment " + NS + "/" + MetalLbRelease.CONTROLLER;
    while (true) {
      try {
        Deployment controller =
            client.apps().deployments().inNamespace(NS).withName(MetalLbRelease.CONTROLLER).get();
        if (available(controller)) {
          log.info("MetalLB controller is available");
          return;
        }
      } catch (KubernetesClientException e) {
        StepFailure failure = KubeFailures.classify(what, e);
        if (!failure.retryable()) {
          throw failure;
        }
        log.warn("{} (will poll again)", failure.getMessage());
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new TransientFailure(
            "METALLB_CONTROLLER_NOT_READY",
            "Deployment "
                + NS
                + "/"
                + MetalLbRelease.CONTROLLER
                + " has no available replica after "
                + timeout
                + " (mesh.metallb.controller-timeout); the pool is not applied before it is");
      }
      pause();
    }
  }

  private static boolean available(Deployment deployment) {
    return deployment != null
        && deployment.getStatus() != null
        && deployment.getStatus().getAvailableReplicas() != null
        && deployment.getStatus().getAvailableReplicas() >= 1;
  }

  private void applyCustom(KubernetesClient client, GenericKubernetesResource resource) {
    String what = "apply " + resource.getKind() + " " + NS + "/" + resource.getMetadata().getName();
    // A webhook that is not serving yet answers with a 500 ("failed calling webhook"),
    // classified transient and retried here with bounded back-off.
    webhookRetrier.run(
        what,
        () ->
            KubeCalls.call(
                what,
                () ->
                    client
                        .genericKubernetesResources(resource.getApiVersion(), resource.getKind())
                        .inNamespace(NS)
                        .resource(resource)
                        .createOr(NonDeletingOperation::update)));
    log.info("applied {} {}/{}", resource.getKind(), NS, resource.getMetadata().getName());
  }

  private static <T extends HasMetadata> void apply(KubernetesClient client, T resource) {
    String what = "apply " + resource.getKind() + " " + resource.getMetadata().getName();
    KubeCalls.call(what, () -> client.resource(resource).createOr(NonDeletingOperation::update));
    log.info("applied {} {}", resource.getKind(), resource.getMetadata().getName());
  }

  private void pause() {
    try {
      Thread.sleep(pollInterval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientFailure(
          "INTERRUPTED", "interrupted while waiting for the MetalLB controller", e);
    }
  }
}
