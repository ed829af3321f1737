package io.meshorch.lb.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kube.KubeApply;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.PoolWrite;
import io.meshorch.sandbox.core.SandboxLatencies;
import io.meshorch.sandbox.kube.SandboxCluster;
import io.meshorch.sandbox.kube.SandboxKube;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The installer against the sandbox's API server (server-side apply, managed fields) and its
 * MetalLB controller (certificate, caBundle, webhook answering {@code metallb-webhook} late).
 */
class Fabric8MetalLbInstallerIT {
  private static final String REF = "meshes/demo/clusters/east/kubeconfig";
  private static final AddressPoolSpec POOL = AddressPoolSpec.of("192.168.51.16/28");

  @TempDir Path dir;
  private SandboxKube kube;
  private KubeClientProvider clients;
  private Fabric8MetalLbInstaller installer;
  private KubernetesClient c;

  private void start(String latencies) throws Exception {
    kube =
        SandboxKube.builder()
            .controllerInterval(Duration.ofMillis(100))
            .latencies(SandboxLatencies.parse(latencies))
            .build()
            .start();
    SandboxCluster east = SandboxClusters.up(kube, dir, "east", "127.20.8.1");
    c = east.client();
    FileSecretStore store = new FileSecretStore(dir.resolve("secrets"));
    store.put(REF, east.kubeconfig().getBytes(StandardCharsets.UTF_8));
    clients = new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(20));
    installer = new Fabric8MetalLbInstaller(clients, MetalLbManifestTest.load());
  }

  @AfterEach
  void stop() {
    if (clients != null) {
      clients.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  /** Every object of the manifests as stored: kind/name → resourceVersion. */
  private Map<String, String> versions() {
    Map<String, String> versions = new LinkedHashMap<>();
    for (HasMetadata o : MetalLbManifestTest.load().objects()) {
      HasMetadata stored = c.resource(o).get();
      assertThat(stored).as(o.getKind() + " " + o.getMetadata().getName()).isNotNull();
      versions.put(
          o.getKind() + " " + o.getMetadata().getName(), stored.getMetadata().getResourceVersion());
    }
    return versions;
  }

  private List<String> caBundles() {
    ValidatingWebhookConfiguration config =
        c.admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName("metallb-webhook-configuration")
            .get();
    return config.getWebhooks().stream().map(w -> w.getClientConfig().getCaBundle()).toList();
  }

  private void awaitWebhookReady() {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> installer.webhookNotReady(REF).isEmpty());
  }

  @Test
  void appliesEveryCrdAndTheWebhookAsHelmReleaseMetallbUnderItsOwnFieldManager() throws Exception {
    start("fast");

    installer.install(REF);

    List<CustomResourceDefinition> crds =
        c.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
            .filter(crd -> crd.getSpec().getGroup().equals("metallb.io"))
            .toList();
    assertThat(crds).hasSize(9);
    ValidatingWebhookConfiguration webhooks =
        c.admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName("metallb-webhook-configuration")
            .get();
    assertThat(webhooks.getWebhooks()).hasSize(6);
    for (HasMetadata o : List.<HasMetadata>of(crds.get(0), webhooks)) {
      assertThat(o.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "Helm");
      assertThat(o.getMetadata().getAnnotations())
          .containsEntry("meta.helm.sh/release-name", "metallb")
          .containsEntry("meta.helm.sh/release-namespace", "metallb-system");
      assertThat(o.getMetadata().getManagedFields())
          .extracting(ManagedFieldsEntry::getManager, ManagedFieldsEntry::getOperation)
          .contains(org.assertj.core.groups.Tuple.tuple("meshorch-lb", "Apply"));
    }
    assertThat(c.services().inNamespace("metallb-system").withName("metallb-webhook-service").get())
        .isNotNull();
    assertThat(c.secrets().inNamespace("metallb-system").withName("metallb-webhook-cert").get())
        .isNotNull();
  }

  @Test
  void aReApplyChangesNothingAndKeepsTheCaBundleAndCertificateTheControllerWrote()
      throws Exception {
    start("fast");
    installer.install(REF);
    awaitWebhookReady();
    String ca =
        c.secrets()
            .inNamespace("metallb-system")
            .withName("metallb-webhook-cert")
            .get()
            .getData()
            .get("ca.crt");
    Map<String, String> before = versions();

    installer.install(REF);

    assertThat(versions()).as("no object changed").isEqualTo(before);
    assertThat(caBundles()).hasSize(6).containsOnly(ca);
    assertThat(
            c.secrets()
                .inNamespace("metallb-system")
                .withName("metallb-webhook-cert")
                .get()
                .getData())
        .containsEntry("ca.crt", ca)
        .containsKeys("tls.crt", "tls.key");
    assertThat(installer.webhookNotReady(REF)).isEmpty();
  }

  @Test
  void saysWhatKeepsTheWebhookFromAnsweringUntilTheControllerIsAvailableWithItsCa()
      throws Exception {
    start("fast,metallb-rollout=1500ms");
    assertThat(installer.webhookNotReady(REF)).get().asString().contains("no available replica");
    installer.install(REF);
    AtomicInteger changes = new AtomicInteger();
    AutoCloseable watch = installer.watchController(REF, changes::incrementAndGet);

    assertThat(installer.webhookNotReady(REF)).get().asString().contains("no available replica");
    awaitWebhookReady();
    await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() > 0);
    watch.close();
    watch.close();

    assertThat(caBundles()).allSatisfy(b -> assertThat(b).isNotBlank());
  }

  @Test
  void aPoolWrittenBeforeTheWebhookAnswersIsNotServedYetWithTheApiServersWordsThenStored()
      throws Exception {
    // Longer than fabric8's own retries of an HTTP 500 (3, from 500 ms, doubling: 3.5 s).
    start("fast,metallb-webhook=8s");
    installer.install(REF);
    awaitWebhookReady();

    PoolWrite refused = installer.configurePool(REF, POOL);

    assertThat(refused)
        .isInstanceOfSatisfying(
            PoolWrite.NotServedYet.class,
            r ->
                assertThat(r.reason())
                    .contains(
                        "apply IPAddressPool metallb-system/mesh-pool refused: Internal error"
                            + " occurred: failed calling webhook"
                            + " \"ipaddresspoolvalidationwebhook.metallb.io\": failed to call"
                            + " webhook: Post \"https://metallb-webhook-service.metallb-system.svc:443"
                            + "/validate-metallb-io-v1beta1-ipaddresspool?timeout=10s\": dial tcp",
                        ":443: connect: connection refused"));
    PoolWrite stored =
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> installer.configurePool(REF, POOL), w -> w instanceof PoolWrite.Stored);
    assertThat(stored).isEqualTo(new PoolWrite.Stored(List.of("192.168.51.16/28")));
    GenericKubernetesResource l2 =
        c.genericKubernetesResources("metallb.io/v1beta1", "L2Advertisement")
            .inNamespace("metallb-system")
            .withName("mesh-l2")
            .get();
    assertThat(l2.<List<String>>get("spec", "ipAddressPools")).containsExactly("mesh-pool");
    assertThat(l2.getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .contains(new KubeApply("lb").fieldManager());
    assertThat(Optional.ofNullable(l2.getMetadata().getAnnotations()).orElse(Map.of()))
        .as("the pool is lb-service's configuration, not part of the Helm release")
        .doesNotContainKey("meta.helm.sh/release-name");
  }
}
