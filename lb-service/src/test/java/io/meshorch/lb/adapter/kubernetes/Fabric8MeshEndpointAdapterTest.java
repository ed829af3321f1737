package io.meshorch.lb.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.lb.domain.MeshEndpointService;
import io.meshorch.testkit.Kubeconfigs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class Fabric8MeshEndpointAdapterTest {
  private static final String REF = "meshes/demo/clusters/east/kubeconfig";

  KubernetesMockServer server;
  KubernetesClient client;

  @TempDir Path secrets;
  private KubeClientProvider clients;
  private Fabric8MeshEndpointAdapter adapter;

  @BeforeEach
  void storeKubeconfig() {
    FileSecretStore store = new FileSecretStore(secrets);
    store.put(
        REF,
        Kubeconfigs.pointingAt(client.getConfiguration().getMasterUrl())
            .getBytes(StandardCharsets.UTF_8));
    clients = new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));
    adapter = new Fabric8MeshEndpointAdapter(clients);
  }

  @AfterEach
  void closeClients() {
    clients.close();
  }

  /** What MetalLB's controller does: writes the IP into the Service's status. */
  private void metalLbAssigns(String ip) {
    client
        .services()
        .inNamespace("kube-system")
        .withName("clustermesh-apiserver")
        .editStatus(
            s -> {
              s.setStatus(
                  new ServiceStatusBuilder()
                      .withNewLoadBalancer()
                      .withIngress(new LoadBalancerIngressBuilder().withIp(ip).build())
                      .endLoadBalancer()
                      .build());
              return s;
            });
  }

  private Service endpoint() {
    return client.services().inNamespace("kube-system").withName("clustermesh-apiserver").get();
  }

  @Test
  void createsTheLoadBalancerServiceOfTheMeshControlPlane() {
    adapter.ensureService(REF, new MeshEndpointService(Optional.of("192.168.51.16")));
    adapter.ensureService(REF, new MeshEndpointService(Optional.of("192.168.51.16")));

    Service s = endpoint();
    assertThat(s.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(s.getSpec().getSelector()).containsEntry("k8s-app", "clustermesh-apiserver");
    assertThat(s.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getName()).isEqualTo("apiserv");
              assertThat(p.getPort()).isEqualTo(2379);
              assertThat(p.getProtocol()).isEqualTo("TCP");
              assertThat(p.getTargetPort().getIntVal()).isEqualTo(2379);
            });
    assertThat(s.getMetadata().getAnnotations())
        .containsEntry("metallb.io/loadBalancerIPs", "192.168.51.16");
  }

  @Test
  void turnsAnExistingNodePortServiceIntoALoadBalancerKeepingItsOtherFields() {
    client
        .services()
        .inNamespace("kube-system")
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("clustermesh-apiserver")
                .withNamespace("kube-system")
                .addToLabels("app.kubernetes.io/part-of", "cilium")
                .endMetadata()
                .withNewSpec()
                .withType("NodePort")
                .addToSelector("k8s-app", "clustermesh-apiserver")
                .addNewPort()
                .withName("apiserv")
                .withPort(2379)
                .withNodePort(32379)
                .endPort()
                .addNewPort()
                .withName("metrics")
                .withPort(9962)
                .endPort()
                .endSpec()
                .build())
        .create();

    adapter.ensureService(REF, new MeshEndpointService(Optional.empty()));

    Service s = endpoint();
    assertThat(s.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(s.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "cilium");
    assertThat(s.getSpec().getPorts())
        .extracting(p -> p.getName() + ":" + p.getPort() + ":" + p.getNodePort())
        .containsExactly("apiserv:2379:32379", "metrics:9962:null");
  }

  @Test
  void readsTheIpMetalLbWroteIntoTheServiceStatus() {
    adapter.ensureService(REF, new MeshEndpointService(Optional.empty()));
    assertThat(adapter.assignedIp(REF)).isEmpty();

    metalLbAssigns("192.168.51.17");

    assertThat(adapter.assignedIp(REF)).contains("192.168.51.17");
  }

  @Test
  void seesNoIpWhileTheServiceDoesNotExist() {
    assertThat(adapter.assignedIp(REF)).isEmpty();
  }

  @Test
  void aWatchedServiceCallsBackWhenMetalLbWritesItsIp() throws Exception {
    adapter.ensureService(REF, new MeshEndpointService(Optional.empty()));
    AtomicInteger changes = new AtomicInteger();
    AutoCloseable watch = adapter.watchService(REF, changes::incrementAndGet);
    int before = Fabric8MetalLbInstallerTest.settled(changes);

    metalLbAssigns("192.168.51.18");

    await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() > before);
    watch.close();
    assertThat(adapter.assignedIp(REF)).contains("192.168.51.18");
  }
}
