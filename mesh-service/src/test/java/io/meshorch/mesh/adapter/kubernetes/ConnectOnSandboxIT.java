package io.meshorch.mesh.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshorch.charts.ChartArchive;
import io.meshorch.charts.HelmChartRenderer;
import io.meshorch.charts.HelmRelease;
import io.meshorch.kit.secrets.FileSecretStore;
import io.meshorch.kube.KubeApply;
import io.meshorch.kube.KubeClientProvider;
import io.meshorch.mesh.domain.RemoteCluster;
import io.meshorch.sandbox.kube.SandboxKube;
import io.meshorch.sandbox.kube.rke.RkeStandIn;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter's writes on a sandbox API server (which answers server-side apply like a real one),
 * over the objects cni-service applied from the Cilium chart with its own field manager: the live
 * objects end up as the chart renders them for {@code clustermesh.config.clusters}, cni-service's
 * fields stay, a re-connect with the same inputs changes nothing (same resourceVersion), and a
 * remote that left the mesh is removed.
 */
class ConnectOnSandboxIT {
  private static final String REF = "meshes/m1/clusters/east/kubeconfig";
  private static final String KS = "kube-system";

  /** In name order, as mesh-service lists them (the chart keeps the order it is given). */
  private static final List<RemoteCluster> REMOTES =
      List.of(
          new RemoteCluster("north", "192.168.53.10", 2379),
          new RemoteCluster("west", "192.168.52.10", 2379));

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final HelmRelease CILIUM = new HelmRelease("cilium", KS, "1.32.0");

  @TempDir static Path work;
  private static SandboxKube kube;
  private static KubernetesClient client;
  private static KubeClientProvider clients;
  private static Fabric8ClusterMeshAdapter adapter;
  private static List<HasMetadata> chartConnected;

  @BeforeAll
  static void clusterWithCiliumAppliedByCniService() throws Exception {
    kube = SandboxKube.builder().controllerInterval(Duration.ofMillis(500)).build().start();
    Path key = Files.writeString(work.resolve("id_key"), "only checked to exist");
    Path yml = Files.createDirectories(work.resolve("east")).resolve("cluster.yml");
    Files.writeString(
        yml,
        """
        cluster_name: east
        ssh_key_path: %s
        network: {plugin: none}
        nodes:
        - {address: 127.20.31.1, user: ubuntu, role: [controlplane, etcd, worker]}
        """
            .formatted(key));
    int code =
        RkeStandIn.run(
            new String[] {"up", "--config", yml.toString()},
            new PrintStream(OutputStream.nullOutputStream()),
            kube.rkeControlUrl().toString());
    assertThat(code).as("rke up").isZero();
    client = kube.cluster("east").orElseThrow().client();
    FileSecretStore store = new FileSecretStore(work.resolve("secrets"));
    store.put(REF, Files.readAllBytes(yml.resolveSibling("kube_config_cluster.yml")));
    clients = new KubeClientProvider(store, Duration.ofSeconds(5), Duration.ofSeconds(10));
    adapter = new Fabric8ClusterMeshAdapter(clients, Duration.ofSeconds(10), "cilium-agent");

    HelmChartRenderer renderer = new HelmChartRenderer(SERIALIZATION);
    ChartArchive chart = ChartArchive.bundled(ChartArchive.CILIUM);
    KubeApply cni = new KubeApply("cni");
    for (HasMetadata o : renderer.render(chart, CILIUM, values(List.of()))) {
      if (isConnectionObject(o)) {
        cni.apply(client, KubeApply.asHelmRelease(o, "cilium", KS));
      }
    }
    chartConnected = renderer.render(chart, CILIUM, values(REMOTES));
  }

  @AfterAll
  static void stop() {
    if (clients != null) {
      clients.close();
    }
    if (kube != null) {
      kube.close();
    }
  }

  private static boolean isConnectionObject(HasMetadata o) {
    return (o instanceof Secret
            && List.of("cilium-clustermesh", "cilium-kvstoremesh")
                .contains(o.getMetadata().getName()))
        || (o instanceof Deployment && "clustermesh-apiserver".equals(o.getMetadata().getName()));
  }

  private static Map<String, Object> values(List<RemoteCluster> remotes) {
    List<Map<String, Object>> clusters = new ArrayList<>();
    for (RemoteCluster r : remotes) {
      clusters.add(Map.of("name", r.name(), "ips", List.of(r.ip()), "port", r.port()));
    }
    return Map.of(
        "cluster", Map.of("name", "east", "id", 1),
        "hubble", Map.of("enabled", false),
        "clustermesh",
            Map.of(
                "useAPIServer",
                true,
                "apiserver",
                Map.of("tls", Map.of("auto", Map.of("method", "cronJob"))),
                "config",
                Map.of("enabled", true, "clusters", clusters)));
  }

  private static Secret secret(String name) {
    return client.secrets().inNamespace(KS).withName(name).get();
  }

  private static Deployment apiserver() {
    return client.apps().deployments().inNamespace(KS).withName("clustermesh-apiserver").get();
  }

  private static <T extends HasMetadata> T chart(Class<T> type, String name) {
    return chartConnected.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> o.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static List<HostAlias> aliases(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getHostAliases();
  }

  @Test
  void connectsAsTheChartWouldThenChangesNothingThenDropsARemoteThatLeft() {
    assertThat(adapter.writeMeshConfig(REF, REMOTES)).isTrue();

    for (String name : List.of("cilium-clustermesh", "cilium-kvstoremesh")) {
      Secret live = secret(name);
      assertThat(live.getData()).as(name).isEqualTo(chart(Secret.class, name).getData());
      assertThat(live.getMetadata().getAnnotations())
          .as("cni-service's fields stay")
          .containsEntry(KubeApply.RELEASE_NAME, "cilium");
      assertThat(live.getMetadata().getManagedFields())
          .extracting(ManagedFieldsEntry::getManager)
          .contains("meshorch-cni", "meshorch-mesh");
    }
    Deployment live = apiserver();
    Deployment expected = chart(Deployment.class, "clustermesh-apiserver");
    assertThat(aliases(live)).isEqualTo(aliases(expected));
    assertThat(live.getSpec().getTemplate().getSpec().getContainers())
        .as("cni-service's containers stay")
        .isEqualTo(expected.getSpec().getTemplate().getSpec().getContainers());

    // The sandbox's kubelet rolls the clustermesh-apiserver out (new host aliases) and writes its
    // status meanwhile; the re-connect is measured once that rollout has settled.
    String[] seen = {""};
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              String rv = apiserver().getMetadata().getResourceVersion();
              boolean stable = rv.equals(seen[0]);
              seen[0] = rv;
              return stable;
            });
    String secretVersion = secret("cilium-clustermesh").getMetadata().getResourceVersion();
    String kvVersion = secret("cilium-kvstoremesh").getMetadata().getResourceVersion();
    String deploymentVersion = apiserver().getMetadata().getResourceVersion();
    assertThat(adapter.writeMeshConfig(REF, List.of(REMOTES.get(1), REMOTES.get(0)))).isFalse();
    assertThat(secret("cilium-clustermesh").getMetadata().getResourceVersion())
        .isEqualTo(secretVersion);
    assertThat(secret("cilium-kvstoremesh").getMetadata().getResourceVersion())
        .isEqualTo(kvVersion);
    assertThat(apiserver().getMetadata().getResourceVersion()).isEqualTo(deploymentVersion);

    assertThat(adapter.writeMeshConfig(REF, List.of(REMOTES.get(1)))).isTrue();
    assertThat(secret("cilium-clustermesh").getData()).containsOnlyKeys("west");
    assertThat(secret("cilium-kvstoremesh").getData()).containsOnlyKeys("west");
    assertThat(aliases(apiserver())).extracting(HostAlias::getIp).containsExactly("192.168.52.10");
  }
}
