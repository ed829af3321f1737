package io.meshorch.lb.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.kit.secrets.FileSecretStore;
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
 * with the Cilium chart under {@code meshorch-cni}); lb-service reads its type, never creates it,
 * and applies only its pin annotation.
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

  /** The Service as cni-service applies it from the chart. */
  private void ciliumChartApplies() {
    SandboxClusters.ciliumAppliesMeshEndpoint(c, "LoadBalancer");
  }

  @Test
  void appliesOnlyThePinAnnotationOnCiliumsServiceAndLeavesCiliumsFieldsToCilium() {
    ciliumChartApplies();

    adapter.applyOwnedFields(REF, PINNED);
    String version = endpoint().getMetadata().getResourceVersion();
    adapter.applyOwnedFields(REF, PINNED);
    ciliumChartApplies();

    Service s = endpoint();
    assertThat(s.getMetadata().getResourceVersion())
        .as("applying again, and the chart applied again, change nothing")
        .isEqualTo(version);
    assertThat(s.getMetadata().getAnnotations())
        .containsEntry("metallb.io/loadBalancerIPs", "192.168.51.16");
    assertThat(s.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(s.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(2379);
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

    adapter.applyOwnedFields(REF, new MeshEndpointService(Optional.empty()));

    assertThat(endpoint().getMetadata().getResourceVersion()).isEqualTo(version);
    assertThat(endpoint().getMetadata().getManagedFields())
        .extracting(ManagedFieldsEntry::getManager)
        .doesNotContain("meshorch-lb");
  }

  @Test
  void readsTheTypeOfCiliumsServiceAndCreatesNothingWhileItIsMissing() {
    assertThat(adapter.serviceType(REF)).isEmpty();
    assertThat(endpoint()).as("lb-service does not create Cilium's Service").isNull();

    SandboxClusters.ciliumAppliesMeshEndpoint(c, "NodePort");
    assertThat(adapter.serviceType(REF)).contains("NodePort");

    ciliumChartApplies();
    assertThat(adapter.serviceType(REF)).contains("LoadBalancer");
  }

  @Test
  void aWatchOpenedBeforeCiliumsServiceExistsCallsBackWhenCiliumCreatesIt() throws Exception {
    AtomicInteger changes = new AtomicInteger();
    AutoCloseable watch = adapter.watchService(REF, changes::incrementAndGet);
    try {
      ciliumChartApplies();

      await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() > 0);
    } finally {
      watch.close();
    }
    assertThat(adapter.serviceType(REF)).contains("LoadBalancer");
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
