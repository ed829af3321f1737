package io.meshorch.lb.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.lb.domain.PoolWrite;
import io.meshorch.testkit.Kubeconfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class Fabric8MetalLbInstallerTest {
  private static final String REF = "meshes/demo/clusters/east/kubeconfig";
  private static final MetalLbRelease RELEASE = new MetalLbRelease("0.14.9");
  private static final AddressPoolSpec POOL = AddressPoolSpec.of("192.168.51.16/28");
  private static final String POOLS_PATH =
      "/apis/metallb.io/v1beta1/namespaces/metallb-system/ipaddresspools";

  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir Path secrets;
  private KubeClientProvider clients;
  private Fabric8MetalLbInstaller installer;

  @BeforeEach
  void storeKubeconfig() {
    FileSecretStore store = new FileSecretStore(secrets);
    store.put(
        REF,
        Kubeconfigs.pointingAt(client.getConfiguration().getMasterUrl())
            .getBytes(StandardCharsets.UTF_8));
    clients = new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));
    installer = new Fabric8MetalLbInstaller(clients);
  }

  @AfterEach
  void closeClients() {
    clients.close();
  }

  private GenericKubernetesResource custom(String kind, String name) {
    return client
        .genericKubernetesResources("metallb.io/v1beta1", kind)
        .inNamespace("metallb-system")
        .withName(name)
        .get();
  }

  /** What the kubelet does once the controller pod runs: one available replica. */
  private void controllerBecomesAvailable() {
    client
        .apps()
        .deployments()
        .inNamespace("metallb-system")
        .withName("controller")
        .editStatus(
            d -> {
              d.setStatus(
                  new DeploymentStatusBuilder()
                      .withReplicas(1)
                      .withReadyReplicas(1)
                      .withAvailableReplicas(1)
                      .build());
              return d;
            });
  }

  /** The count once the watch's opening events (if any) are through. */
  static int settled(AtomicInteger changes) {
    return await()
        .pollDelay(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(2))
        .until(changes::get, c -> true);
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
  void seesTheControllerAvailableOnlyOnceItHasAnAvailableReplica() {
    assertThat(installer.controllerAvailable(REF)).as("not installed").isFalse();
    installer.install(REF, RELEASE);
    assertThat(installer.controllerAvailable(REF)).as("installed, no pod yet").isFalse();

    controllerBecomesAvailable();

    assertThat(installer.controllerAvailable(REF)).isTrue();
  }

  @Test
  void aWatchedControllerCallsBackWhenItBecomesAvailableAndNoLongerOnceClosed() throws Exception {
    installer.install(REF, RELEASE);
    AtomicInteger changes = new AtomicInteger();
    AutoCloseable watch = installer.watchController(REF, changes::incrementAndGet);
    int before = settled(changes);

    controllerBecomesAvailable();
    await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() > before);
    watch.close();
    watch.close();
    int seen = changes.get();
    installer.install(REF, new MetalLbRelease("0.14.8"));

    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(2))
        .until(() -> changes.get() == seen);
  }

  @Test
  void writesThePoolAndItsAdvertisementAndReadsThePoolBack() {
    installer.install(REF, RELEASE);
    controllerBecomesAvailable();

    PoolWrite write = installer.configurePool(REF, POOL);

    assertThat(write).isEqualTo(new PoolWrite.Stored(List.of("192.168.51.16/28")));
    GenericKubernetesResource pool = custom("IPAddressPool", "mesh-pool");
    assertThat(pool.<List<String>>get("spec", "addresses")).containsExactly("192.168.51.16/28");
    GenericKubernetesResource l2 = custom("L2Advertisement", "mesh-l2");
    assertThat(l2.<List<String>>get("spec", "ipAddressPools")).containsExactly("mesh-pool");
  }

  @Test
  void updatesAnExistingPoolToTheClusterPool() {
    installer.install(REF, RELEASE);
    controllerBecomesAvailable();
    installer.configurePool(REF, AddressPoolSpec.of("10.1.1.0/24"));

    PoolWrite write = installer.configurePool(REF, POOL);

    assertThat(write).isEqualTo(new PoolWrite.Stored(List.of("192.168.51.16/28")));
    assertThat(custom("IPAddressPool", "mesh-pool").<List<String>>get("spec", "addresses"))
        .containsExactly("192.168.51.16/28");
  }

  @Test
  void reportsAWebhookThatIsNotServedYetAsNotServedThenWritesOnceItIs() {
    installer.install(REF, RELEASE);
    controllerBecomesAvailable();
    // fabric8 itself retries a 5xx three times: four refusals make one refused call.
    server
        .expect()
        .post()
        .withPath(POOLS_PATH)
        .andReturn(
            500,
            new StatusBuilder()
                .withCode(500)
                .withMessage(
                    "Internal error occurred: failed calling webhook"
                        + " \"ipaddresspoolvalidationwebhook.metallb.io\": failed to call webhook:"
                        + " connect: connection refused")
                .build())
        .times(4);

    PoolWrite refused = installer.configurePool(REF, POOL);
    PoolWrite accepted = installer.configurePool(REF, POOL);

    assertThat(refused)
        .isInstanceOfSatisfying(
            PoolWrite.NotServedYet.class,
            r ->
                assertThat(r.reason())
                    .contains("IPAddressPool metallb-system/mesh-pool", "failed calling webhook"));
    assertThat(accepted).isEqualTo(new PoolWrite.Stored(List.of("192.168.51.16/28")));
    assertThat(custom("L2Advertisement", "mesh-l2")).isNotNull();
  }

  @Test
  void aWebhookThatDeniesThePoolIsATerminalRejectionNotAWait() {
    installer.install(REF, RELEASE);
    controllerBecomesAvailable();
    server
        .expect()
        .post()
        .withPath(POOLS_PATH)
        .andReturn(
            400,
            new StatusBuilder()
                .withCode(400)
                .withMessage(
                    "admission webhook \"ipaddresspoolvalidationwebhook.metallb.io\" denied the"
                        + " request: overlaps with already defined CIDR")
                .build())
        .once();

    assertThatThrownBy(() -> installer.configurePool(REF, POOL))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("KUBE_API_REJECTED");
              assertThat(f.retryable()).isFalse();
              assertThat(f.getMessage()).contains("denied the request");
            });
    assertThat(custom("IPAddressPool", "mesh-pool")).isNull();
  }
}
