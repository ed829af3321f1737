package io.meshorch.lb.adapter.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kube.KubeApply;
import io.meshorch.kube.KubeCalls;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.lb.domain.PoolWrite;
import io.meshorch.lb.port.MetalLbPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs MetalLB from its pinned official manifests ({@link MetalLbManifest}) and writes the
 * cluster's pool, all with server-side apply under lb-service's field manager ({@code
 * meshorch-lb}). Every method is one round of API calls; waiting for the controller and its webhook
 * is the caller's (a step's) business.
 */
public final class Fabric8MetalLbInstaller implements MetalLbPort {
  private static final Logger log = LoggerFactory.getLogger(Fabric8MetalLbInstaller.class);
  private static final String NS = MetalLbRelease.NAMESPACE;
  private static final String CONTROLLER = NS + "/" + MetalLbRelease.CONTROLLER;

  /** Kinds of the objects lb-service writes from the mesh's pool. */
  static final String POOL_KIND = "IPAddressPool";

  static final String L2_KIND = "L2Advertisement";

  /** Label of the pool objects: not part of the Helm release, written by lb-service. */
  static final Map<String, String> POOL_LABELS =
      Map.of("app.kubernetes.io/managed-by", "meshorch-lb");

  /** What the API server answers (HTTP 500) when it cannot reach a validating webhook. */
  private static final String WEBHOOK_UNREACHABLE = "failed calling webhook";

  private final KubeClientProvider clients;
  private final MetalLbManifest manifest;
  private final KubeApply kube = new KubeApply("lb");

  /** The pool webhooks the manifests register: their caBundle is waited for (none: no wait). */
  private final List<String> guardedWebhooks;

  /**
   * @param clients builds clients from kubeconfig references
   * @param manifest the checked MetalLB manifests to install
   */
  public Fabric8MetalLbInstaller(KubeClientProvider clients, MetalLbManifest manifest) {
    this.clients = clients;
    this.manifest = manifest;
    this.guardedWebhooks =
        manifest.objects().stream()
            .filter(ValidatingWebhookConfiguration.class::isInstance)
            .map(ValidatingWebhookConfiguration.class::cast)
            .filter(c -> MetalLbRelease.WEBHOOK_CONFIGURATION.equals(c.getMetadata().getName()))
            .flatMap(c -> c.getWebhooks().stream())
            .map(ValidatingWebhook::getName)
            .filter(MetalLbRelease.POOL_WEBHOOKS::contains)
            .toList();
  }

  @Override
  public void install(String kubeconfigRef) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      List<HasMetadata> objects = manifest.objects();
      for (HasMetadata object : objects) {
        kube.apply(client, object);
      }
      log.info(
          "MetalLB v{} applied in {}: {} objects from {}",
          manifest.release().version(),
          NS,
          objects.size(),
          manifest.source());
    }
  }

  @Override
  public Optional<String> webhookNotReady(String kubeconfigRef) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      Deployment controller =
          KubeCalls.call("read Deployment " + CONTROLLER, controller(client)::get);
      if (controller == null
          || controller.getStatus() == null
          || controller.getStatus().getAvailableReplicas() == null
          || controller.getStatus().getAvailableReplicas() < 1) {
        return Optional.of(
            "Deployment "
                + CONTROLLER
                + " has no available replica; the pool is not written before it serves the"
                + " webhook");
      }
      if (guardedWebhooks.isEmpty()) {
        return Optional.empty();
      }
      ValidatingWebhookConfiguration webhooks =
          KubeCalls.call(
              "read ValidatingWebhookConfiguration " + MetalLbRelease.WEBHOOK_CONFIGURATION,
              webhookConfiguration(client)::get);
      List<String> missing = new ArrayList<>();
      for (String name : guardedWebhooks) {
        if (webhooks == null || !hasCaBundle(webhooks, name)) {
          missing.add(name);
        }
      }
      if (!missing.isEmpty()) {
        return Optional.of(
            "ValidatingWebhookConfiguration "
                + MetalLbRelease.WEBHOOK_CONFIGURATION
                + " has no caBundle yet for "
                + String.join(", ", missing)
                + " (the controller injects it once its webhook certificate is written)");
      }
      return Optional.empty();
    }
  }

  private static boolean hasCaBundle(ValidatingWebhookConfiguration config, String webhook) {
    List<ValidatingWebhook> hooks = config.getWebhooks() == null ? List.of() : config.getWebhooks();
    return hooks.stream()
        .filter(h -> webhook.equals(h.getName()))
        .anyMatch(
            h ->
                h.getClientConfig() != null
                    && h.getClientConfig().getCaBundle() != null
                    && !h.getClientConfig().getCaBundle().isBlank());
  }

  @Override
  public AutoCloseable watchController(String kubeconfigRef, Runnable onChange) {
    AutoCloseable deployment =
        ClusterWatch.open(
            clients,
            kubeconfigRef,
            "Deployment " + CONTROLLER,
            Fabric8MetalLbInstaller::controller,
            onChange);
    AutoCloseable webhooks;
    try {
      webhooks =
          ClusterWatch.open(
              clients,
              kubeconfigRef,
              "ValidatingWebhookConfiguration " + MetalLbRelease.WEBHOOK_CONFIGURATION,
              Fabric8MetalLbInstaller::webhookConfiguration,
              onChange);
    } catch (RuntimeException e) {
      closeQuietly(deployment);
      throw e;
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        closeQuietly(webhooks);
        closeQuietly(deployment);
      }
    };
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      log.debug("closing a MetalLB watch failed: {}", e.toString());
    }
  }

  private static RollableScalableResource<Deployment> controller(KubernetesClient client) {
    return client.apps().deployments().inNamespace(NS).withName(MetalLbRelease.CONTROLLER);
  }

  private static Resource<ValidatingWebhookConfiguration> webhookConfiguration(
      KubernetesClient client) {
    return client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName(MetalLbRelease.WEBHOOK_CONFIGURATION);
  }

  @Override
  public PoolWrite configurePool(String kubeconfigRef, AddressPoolSpec pool) {
    try (KubernetesClient client = clients.forCluster(kubeconfigRef)) {
      for (GenericKubernetesResource resource : List.of(pool(pool), l2Advertisement())) {
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
                      .genericKubernetesResources(MetalLbRelease.API_VERSION, POOL_KIND)
                      .inNamespace(NS)
                      .withName(AddressPoolSpec.POOL_NAME)
                      .get());
      List<String> addresses = stored == null ? null : stored.get("spec", "addresses");
      return new PoolWrite.Stored(addresses == null ? List.of() : addresses);
    }
  }

  /** Applies {@code resource}; the API server's message if the webhook could not be called. */
  private Optional<String> applyCustom(
      KubernetesClient client, GenericKubernetesResource resource) {
    String what = "apply " + resource.getKind() + " " + NS + "/" + resource.getMetadata().getName();
    try {
      kube.apply(client, resource);
    } catch (StepFailure failure) {
      if (failure.getCause() instanceof KubernetesClientException e
          && e.getCode() >= 500
          && message(e).toLowerCase(Locale.ROOT).contains(WEBHOOK_UNREACHABLE)) {
        log.info("{}: MetalLB's webhook is not served yet ({})", what, message(e));
        return Optional.of(what + " refused: " + message(e));
      }
      throw failure;
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

  /** {@code IPAddressPool} {@value AddressPoolSpec#POOL_NAME}: the cluster's pool, as data. */
  static GenericKubernetesResource pool(AddressPoolSpec pool) {
    return custom(POOL_KIND, AddressPoolSpec.POOL_NAME, Map.of("addresses", pool.addresses()));
  }

  /** {@code L2Advertisement} {@value AddressPoolSpec#L2_NAME} announcing the pool. */
  static GenericKubernetesResource l2Advertisement() {
    return custom(
        L2_KIND,
        AddressPoolSpec.L2_NAME,
        Map.of("ipAddressPools", List.of(AddressPoolSpec.POOL_NAME)));
  }

  private static GenericKubernetesResource custom(
      String kind, String name, Map<String, Object> spec) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(MetalLbRelease.API_VERSION)
        .withKind(kind)
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels(POOL_LABELS)
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }
}
