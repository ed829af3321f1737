package io.meshorch.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.sandbox.kube.SandboxApiServer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Watches against one API server of the sandbox, the test playing the controller that writes. */
class KubeWatchesTest {
  private SandboxApiServer server;
  private KubernetesClient client;

  @TempDir Path secrets;

  @BeforeEach
  void startServer() {
    server = SandboxApiServer.start();
    client = server.client();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private KubeClientProvider provider() {
    FileSecretStore store = new FileSecretStore(secrets);
    store.put(
        "meshes/demo/clusters/east/kubeconfig",
        server.kubeconfig().getBytes(StandardCharsets.UTF_8));
    return new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  @Test
  void aStatusChangeOfTheWatchedServiceWakesTheWaiter() throws Exception {
    Service service =
        client
            .services()
            .inNamespace("kube-system")
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withName("clustermesh-apiserver")
                    .endMetadata()
                    .withNewSpec()
                    .withType("LoadBalancer")
                    .endSpec()
                    .build())
            .create();
    AtomicInteger changes = new AtomicInteger();
    try (KubeClientProvider provider = provider();
        KubernetesClient east = provider.forCluster("meshes/demo/clusters/east/kubeconfig")) {
      AutoCloseable watch =
          KubeWatches.nudgeOnChange(
              "the mesh endpoint",
              east.services().inNamespace("kube-system").withName("clustermesh-apiserver"),
              changes::incrementAndGet);
      assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
      client
          .services()
          .inNamespace("kube-system")
          .withName("clustermesh-apiserver")
          .editStatus(
              s ->
                  new ServiceBuilder(s)
                      .withNewStatus()
                      .withNewLoadBalancer()
                      .withIngress(new LoadBalancerIngressBuilder().withIp("192.168.50.10").build())
                      .endLoadBalancer()
                      .endStatus()
                      .build());

      await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() >= 1);
      watch.close();
    }
  }

  @Test
  void manyClientsAndWatchesShareTheSameThreads() throws Exception {
    try (KubeClientProvider provider = provider()) {
      List<AutoCloseable> open = new ArrayList<>();
      List<KubernetesClient> clients = new ArrayList<>();
      KubernetesClient first = provider.forCluster("meshes/demo/clusters/east/kubeconfig");
      clients.add(first);
      open.add(KubeWatches.nudgeOnChange("ns", first.namespaces(), () -> {}));
      int threadsAfterOne = ManagementFactory.getThreadMXBean().getThreadCount();

      for (int i = 0; i < 100; i++) {
        KubernetesClient c = provider.forCluster("meshes/demo/clusters/east/kubeconfig");
        clients.add(c);
        open.add(KubeWatches.nudgeOnChange("ns", c.namespaces(), () -> {}));
      }

      assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threadsAfterOne)
          .isLessThan(10);
      for (AutoCloseable c : open) {
        c.close();
      }
      clients.forEach(KubernetesClient::close);
    }
  }
}
