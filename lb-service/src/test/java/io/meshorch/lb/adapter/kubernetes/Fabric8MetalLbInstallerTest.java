package io.meshorch.lb.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.retry.Backoff;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.lb.support.MetalLbPlayer;
import io.meshorch.testkit.Kubeconfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class Fabric8MetalLbInstallerTest {
  private static final String REF = "meshes/demo/clusters/east/kubeconfig";
  private static final MetalLbRelease RELEASE = new MetalLbRelease("0.14.9");
  private static final AddressPoolSpec POOL = AddressPoolSpec.of("192.168.51.16/28");

  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir Path secrets;
  private Fabric8MetalLbInstaller installer;
  private MetalLbPlayer metalLb;

  @BeforeEach
  void storeKubeconfig() {
    FileSecretStore store = new FileSecretStore(secrets);
    store.put(
        REF,
        Kubeconfigs.pointingAt(client.getConfiguration().getMasterUrl())
            .getBytes(StandardCharsets.UTF_8));
    installer =
        new Fabric8MetalLbInstaller(
            new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10)),
            new Backoff(4, Duration.ofMillis(20), Duration.ofMillis(100), 2.0),
            Duration.ofMillis(20));
    metalLb = new MetalLbPlayer(client);
  }

  private GenericKubernetesResource custom(String kind, String name) {
    return client
        .genericKubernetesResources("metallb.io/v1beta1", kind)
        .inNamespace("metallb-system")
        .withName(name)
        .get();
  }

  @Test
  void installsNamespaceCrdsControllerAndSpeakerAndConvergesWhenRepeated() {
    installer.install(REF, RELEASE);
    installer.install(REF, RELEASE);

    assertThat(client.namespaces().withName("metallb-system").get()).isNotNull();
    for (String name : List.of("ipaddresspools.metallb.io", "l2advertisements.metallb.io")) {
      CustomResourceDefinition crd =
          client.apiextensions().v1().customResourceDefinitions().withName(name).get();
      assertThat(crd.getSpec().getGroup()).isEqualTo("metallb.io");
      assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
      assertThat(crd.getSpec().getVersions())
          .singleElement()
          .satisfies(
              v -> {
                assertThat(v.getName()).isEqualTo("v1beta1");
                assertThat(v.getServed()).isTrue();
                assertThat(v.getStorage()).isTrue();
              });
    }
    assertThat(client.serviceAccounts().inNamespace("metallb-system").list().getItems())
        .extracting(sa -> sa.getMetadata().getName())
        .containsExactlyInAnyOrder("controller", "speaker");
    Deployment controller =
        client.apps().deployments().inNamespace("metallb-system").withName("controller").get();
    assertThat(controller.getMetadata().getLabels())
        .containsEntry("app", "metallb")
        .containsEntry("component", "controller");
    assertThat(controller.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("quay.io/metallb/controller:v0.14.9");
    DaemonSet speaker =
        client.apps().daemonSets().inNamespace("metallb-system").withName("speaker").get();
    assertThat(speaker.getMetadata().getLabels())
        .containsEntry("app", "metallb")
        .containsEntry("component", "speaker");
    assertThat(speaker.getSpec().getTemplate().getSpec().getHostNetwork()).isTrue();
    assertThat(speaker.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("quay.io/metallb/speaker:v0.14.9");
    assertThat(client.apps().deployments().inNamespace("metallb-system").list().getItems())
        .hasSize(1);
  }

  @Test
  void writesThePoolOnlyOnceTheControllerIsAvailableAndReadsItBack() throws Exception {
    installer.install(REF, RELEASE);

    CompletableFuture<List<String>> configured =
        CompletableFuture.supplyAsync(
            () -> installer.configurePool(REF, POOL, Duration.ofSeconds(30)));

    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> custom("IPAddressPool", "mesh-pool") == null && !configured.isDone());
    assertThat(metalLb.markControllerAvailable()).isTrue();
    assertThat(configured.get(10, TimeUnit.SECONDS)).containsExactly("192.168.51.16/28");
    GenericKubernetesResource pool = custom("IPAddressPool", "mesh-pool");
    assertThat(pool.<List<String>>get("spec", "addresses")).containsExactly("192.168.51.16/28");
    GenericKubernetesResource l2 = custom("L2Advertisement", "mesh-l2");
    assertThat(l2.<List<String>>get("spec", "ipAddressPools")).containsExactly("mesh-pool");
  }

  @Test
  void updatesAnExistingPoolToTheClusterPool() {
    installer.install(REF, RELEASE);
    metalLb.markControllerAvailable();
    installer.configurePool(REF, AddressPoolSpec.of("10.1.1.0/24"), Duration.ofSeconds(5));

    List<String> stored = installer.configurePool(REF, POOL, Duration.ofSeconds(5));

    assertThat(stored).containsExactly("192.168.51.16/28");
    assertThat(custom("IPAddressPool", "mesh-pool").<List<String>>get("spec", "addresses"))
        .containsExactly("192.168.51.16/28");
  }

  @Test
  void givesUpRetryablyWhenTheControllerNeverBecomesAvailable() {
    installer.install(REF, RELEASE);

    assertThatThrownBy(() -> installer.configurePool(REF, POOL, Duration.ofMillis(200)))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("METALLB_CONTROLLER_NOT_READY");
              assertThat(f.retryable()).isTrue();
              assertThat(f.getMessage()).contains("metallb-system/controller");
            });
    assertThat(custom("IPAddressPool", "mesh-pool")).isNull();
  }

  @Test
  void retriesAPoolWriteTheWebhookRefusesWhileStarting() throws Exception {
    installer.install(REF, RELEASE);
    metalLb.markControllerAvailable();
    server
        .expect()
        .post()
        .withPath("/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools")
        .andReturn(
            500,
            new StatusBuilder()
                .withCode(500)
                .withMessage(
                    "Internal error occurred: failed calling webhook"
                        + " \"ipaddresspoolvalidationwebhook.metallb.io\": connection refused")
                .build())
        .times(2);

    List<String> stored = installer.configurePool(REF, POOL, Duration.ofSeconds(5));

    assertThat(stored).containsExactly("192.168.51.16/28");
    assertThat(custom("IPAddressPool", "mesh-pool")).isNotNull();
    int poolPosts = 0;
    for (RecordedRequest r = server.takeRequest(1, TimeUnit.MILLISECONDS);
        r != null;
        r = server.takeRequest(1, TimeUnit.MILLISECONDS)) {
      if ("POST".equals(r.getMethod()) && r.getPath().endsWith("/ipaddresspools")) {
        poolPosts++;
      }
    }
    assertThat(poolPosts).as("two refused writes, then the accepted one").isEqualTo(3);
  }
}
