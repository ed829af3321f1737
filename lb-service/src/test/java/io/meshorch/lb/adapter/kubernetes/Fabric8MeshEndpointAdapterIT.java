package io.meshorch.lb.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kube.KubeApply;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.domain.MeshEndpointService;
import io.meshorch.sandbox.kube.SandboxCluster;
import io.meshorch.sandbox.kube.SandboxKube;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mesh endpoint adapter against the sandbox's API server: the Service is cni-service's (applied
 * with the Cilium chart under {@code meshorch-cni}); lb-service applies only its pin annotation.
 */
class Fabric8MeshEndpointAdapterIT {
  private static final String REF = "meshes/demo/clusters/east/kubeconfig";
  private static final MeshEndpointService PINNED =
      new MeshEndpointService(Optional.of("192.168.51.16"));

  @TempDir Path dir;
  private SandboxKube kube;
  private KubeClientProvider clients;
  private Fabric8MeshEndpointAdapter adapter;
  private KubernetesClient c;

  @BeforeEach
  void start() throws Exception {
    kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(100)).build().start();
    SandboxCluster east = SandboxClusters.up(kube, dir, "east", "127.20.10.1");
    c = east.client();
    FileSecretStore store = new FileSecretStore(dir.resolve("secrets"));
    store.put(REF, east.kubeconfig().getBytes(StandardCharsets.UTF_8));
    clients = new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(20));
    adapter = new Fabric8MeshEndpointAdapter(clients);
  }

  @AfterEach
  void stop() {
    clients.close();
    kube.close();
  }

  private Service endpoint() {
    return c.services().inNamespace("kube-system").withName("clustermesh-apiserver").get();
  }

  /**
   * The Service as cni-service applies it from the chart (with a metrics port lb-service lacks).
   */
  private void ciliumChartApplies() {
    new KubeApply("cni")
        .apply(
            c,
            new ServiceBuilder()
                .withNewMetadata()
                .withName("clustermesh-apiserver")
                .withNamespace("kube-system")
                .addToLabels("k8s-app", "clustermesh-apiserver")
                .addToLabels("app.kubernetes.io/part-of", "cilium")
                .endMetadata()
                .withNewSpec()
                .withType("LoadBalancer")
                .addToSelector("k8s-app", "clustermesh-apiserver")
                .addNewPort()
                .withName("apiserv")
                .withPort(2379)
                .withProtocol("TCP")
                .withTargetPort(new IntOrString("apiserv"))
                .endPort()
                .addNewPort()
                .withName("kvmesh-metrics")
                .withPort(9964)
                .withProtocol("TCP")
                .endPort()
                .endSpec()
                .build());
  }

  @Test
  void appliesOnlyThePinAnnotationOnCiliumsServiceAndLeavesCiliumsFieldsToCilium() {
    ciliumChartApplies();

    adapter.ensureService(REF, PINNED);
    String version = endpoint().getMetadata().getResourceVersion();
    adapter.ensureService(REF, PINNED);
    ciliumChartApplies();

    Service s = endpoint();
    assertThat(s.getMetadata().getResourceVersion())
        .as("ensuring again, and the chart applied again, change nothing")
        .isEqualTo(version);
    assertThat(s.getMetadata().getAnnotations())
        .containsEntry("metallb.io/loadBalancerIPs", "192.168.51.16");
    assertThat(s.getSpec().getPorts())
        .extracting(p -> p.getName() + ":" + p.getPort())
        .containsExactly("apiserv:2379", "kvmesh-metrics:9964");
    assertThat(s.getMetadata().getManagedFields())
        .filteredOn(f -> "meshorch-lb".equals(f.getManager()))
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.getOperation()).isEqualTo("Apply");
              assertThat(f.getFieldsV1().getAdditionalProperties())
                  .as("lb-service owns the annotation and nothing else")
                  .containsOnlyKeys("f:metadata");
            });
    assertThat(s.getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .contains("meshorch-cni");
  }

  @Test
  void writesNothingOnCiliumsServiceWhenNotPinning() {
    ciliumChartApplies();
    String version = endpoint().getMetadata().getResourceVersion();

    adapter.ensureService(REF, new MeshEndpointService(Optional.empty()));

    assertThat(endpoint().getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(endpoint().getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .doesNotContain("meshorch-lb");
  }

  @Test
  void createsTheServiceInTheChartsShapeWhenCiliumDidNotBringIt() {
    adapter.ensureService(REF, PINNED);

    Service s = endpoint();
    assertThat(s.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(s.getSpec().getSelector()).containsEntry("k8s-app", "clustermesh-apiserver");
    assertThat(s.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("apiserv");
              assertThat(p.getPort()).isEqualTo(2379);
            });
    assertThat(s.getMetadata().getAnnotations())
        .containsEntry("metallb.io/loadBalancerIPs", "192.168.51.16");

    ciliumChartApplies();
    assertThat(endpoint().getSpec().getPorts())
        .as("the chart's apply takes the Service over")
        .extracting(p -> p.getName())
        .containsExactly("apiserv", "kvmesh-metrics");
    assertThat(endpoint().getMetadata().getAnnotations())
        .containsEntry("metallb.io/loadBalancerIPs", "192.168.51.16");
  }

  @Test
  void readsTheIpMetalLbWritesAndAWatchCallsBackWhenItDoes() throws Exception {
    ciliumChartApplies();
    assertThat(adapter.assignedIp(REF)).isEmpty();
    AtomicInteger changes = new AtomicInteger();
    AutoCloseable watch = adapter.watchService(REF, changes::incrementAndGet);
    int before =
        await()
            .pollDelay(Duration.ofMillis(300))
            .atMost(Duration.ofSeconds(2))
            .until(changes::get, n -> true);

    c.services()
        .inNamespace("kube-system")
        .withName("clustermesh-apiserver")
        .editStatus(
            s -> {
              s.setStatus(
                  new ServiceStatusBuilder()
                      .withNewLoadBalancer()
                      .withIngress(new LoadBalancerIngressBuilder().withIp("192.168.51.17").build())
                      .endLoadBalancer()
                      .build());
              return s;
            });

    await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() > before);
    watch.close();
    assertThat(adapter.assignedIp(REF)).contains("192.168.51.17");
  }
}
