package io.meshorch.cni.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.HostAliasBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kube.KubeApply;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's objects server-side applied to a sandbox cluster (whose API server answers apply
 * patches like a real one): once the rollouts are done, applied again with the same inputs they do
 * not change at all (same resourceVersion for all 31 objects), and the host aliases mesh-service
 * applies with its own field manager survive.
 */
class CiliumApplyIT {
  private static final String REF = "meshes/demo/clusters/west/kubeconfig";

  @TempDir static Path work;
  private static SandboxKube kube;
  private static KubeClientProvider clients;

  @BeforeAll
  static void cluster() throws Exception {
    kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(500)).build().start();
    Path key = Files.writeString(work.resolve("id_key"), "only checked to exist");
    Path file = Files.createDirectories(work.resolve("rke")).resolve("cluster.yml");
    Files.writeString(
        file,
        """
        cluster_name: west
        ssh_key_path: %s
        network: {plugin: none}
        nodes:
        - {address: 127.10.7.10, user: ubuntu, role: [controlplane, etcd, worker]}
        """
            .formatted(key));
    int code =
        RkeStandIn.run(
            new String[] {"up", "--config", file.toString()},
            new PrintStream(OutputStream.nullOutputStream()),
            kube.rkeControlUrl().toString());
    assertThat(code).as("rke up").isZero();
    FileSecretStore store = new FileSecretStore(work.resolve("secrets"));
    store.put(
        REF,
        Files.readString(file.resolveSibling("kube_config_cluster.yml"))
            .getBytes(StandardCharsets.UTF_8));
    clients = new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    clients.close();
    kube.close();
  }

  private static Map<String, String> resourceVersions(KubernetesClient client) {
    Map<String, String> versions = new LinkedHashMap<>();
    for (HasMetadata object : CiliumChartTest.chart().objects(CiliumChartTest.install("west", 2))) {
      HasMetadata stored = client.resource(object).get();
      versions.put(
          object.getKind() + " " + object.getMetadata().getName(),
          stored == null ? null : stored.getMetadata().getResourceVersion());
    }
    return versions;
  }

  @Test
  void applyingTheSameInputsAgainChangesNothingAndKeepsMeshServicesHostAliases() {
    Fabric8CiliumInstaller installer = new Fabric8CiliumInstaller(clients, CiliumChartTest.chart());
    try (KubernetesClient client = clients.forCluster(REF)) {
      assertThat(installer.apply(REF, CiliumChartTest.install("west", 2))).isEqualTo("1.18.12");
      new KubeApply("mesh")
          .apply(
              client,
              new DaemonSetBuilder()
                  .withNewMetadata()
                  .withName("cilium")
                  .withNamespace("kube-system")
                  .endMetadata()
                  .withNewSpec()
                  .withNewTemplate()
                  .withNewSpec()
                  .addToHostAliases(
                      new HostAliasBuilder()
                          .withIp("192.168.50.10")
                          .withHostnames("east.mesh.cilium.io")
                          .build())
                  .endSpec()
                  .endTemplate()
                  .endSpec()
                  .build());
      // The sandbox's kubelet writes the workloads' status until their rollouts are done.
      AtomicReference<Map<String, String>> settled = new AtomicReference<>(Map.of());
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () -> {
                Map<String, String> now = resourceVersions(client);
                boolean same = now.equals(settled.getAndSet(now));
                return same && installer.rollout(REF).ready();
              });
      Map<String, String> before = settled.get();

      installer.apply(REF, CiliumChartTest.install("west", 2));

      assertThat(before).doesNotContainValue(null).hasSize(31);
      assertThat(resourceVersions(client)).isEqualTo(before);
      DaemonSet agents =
          client.apps().daemonSets().inNamespace("kube-system").withName("cilium").get();
      assertThat(agents.getSpec().getTemplate().getSpec().getHostAliases())
          .singleElement()
          .satisfies(a -> assertThat(a.getIp()).isEqualTo("192.168.50.10"));
      assertThat(agents.getMetadata().getManagedFields())
          .extracting(ManagedFieldsEntry::getManager)
          .contains("meshorch-cni", "meshorch-mesh");
      assertThat(agents.getMetadata().getLabels())
          .containsEntry("app.kubernetes.io/managed-by", "Helm");
    }
  }
}
