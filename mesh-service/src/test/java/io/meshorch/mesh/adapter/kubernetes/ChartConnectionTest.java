package io.meshorch.mesh.adapter.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.meshorch.charts.ChartArchive;
import io.meshorch.charts.HelmChartRenderer;
import io.meshorch.charts.HelmRelease;
import io.meshorch.mesh.domain.ClusterConnection;
import io.meshorch.mesh.domain.ClusterMember;
import io.meshorch.mesh.domain.RemoteCluster;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What mesh-service writes to connect a cluster is what the official Cilium chart (the vendored
 * 1.18.12 archive, rendered by Helm's engine) renders for {@code clustermesh.config.clusters} =
 * every other cluster as {@code {name, ips: [its LB IP], port: 2379}}, which is what {@code cilium
 * clustermesh connect} sets in Helm mode. For each cluster of a 3-cluster mesh, the chart is
 * rendered once without and once with the remotes; the objects that change between both renders are
 * exactly the ones mesh-service writes, and their connection fields are equal, field by field.
 */
class ChartConnectionTest {
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
  private static final HelmRelease CILIUM = new HelmRelease("cilium", "kube-system", "1.32.0");
  private static final List<ClusterMember> MESH =
      List.of(
          new ClusterMember("east", 1, "ref/east", "192.168.51.10", 2379, List.of("e0")),
          new ClusterMember("west", 2, "ref/west", "192.168.52.10", 2379, List.of("w0")),
          new ClusterMember("north", 3, "ref/north", "192.168.53.10", 2379, List.of("n0")));

  private static final Map<String, List<HasMetadata>> connected = new LinkedHashMap<>();
  private static List<HasMetadata> alone;

  @BeforeAll
  static void renderTheChartForEveryCluster() {
    HelmChartRenderer renderer = new HelmChartRenderer(SERIALIZATION);
    ChartArchive chart = ChartArchive.bundled(ChartArchive.CILIUM);
    for (ClusterConnection c : ClusterConnection.plan(MESH)) {
      String name = c.member().name();
      connected.put(name, renderer.render(chart, CILIUM, values(c.member(), c.remotes())));
    }
    ClusterMember east = MESH.get(0);
    alone = renderer.render(chart, CILIUM, values(east, List.of()));
  }

  /**
   * The values cni-service installs with (cluster name and ID, the mesh control plane with its
   * defaults: KVStoreMesh on) plus what {@code cilium clustermesh connect} adds. Certificates are
   * issued by Helm here (method {@code cronJob}: a Job, the same text on every render), so that
   * only the connection differs between two renders.
   */
  private static Map<String, Object> values(ClusterMember member, List<RemoteCluster> remotes) {
    List<Map<String, Object>> clusters = new ArrayList<>();
    for (RemoteCluster r : remotes) {
      clusters.add(Map.of("name", r.name(), "ips", List.of(r.ip()), "port", r.port()));
    }
    return Map.of(
        "cluster", Map.of("name", member.name(), "id", member.id()),
        "hubble", Map.of("enabled", false),
        "clustermesh",
            Map.of(
                "useAPIServer",
                true,
                "apiserver",
                Map.of(
                    "service",
                    Map.of("type", "LoadBalancer"),
                    "tls",
                    Map.of("auto", Map.of("method", "cronJob"))),
                "config",
                Map.of("enabled", true, "clusters", clusters)));
  }

  private static <T extends HasMetadata> T find(
      List<HasMetadata> objects, Class<T> type, String name) {
    return objects.stream()
        .filter(type::isInstance)
        .map(type::cast)
        .filter(o -> name.equals(o.getMetadata().getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("the chart renders no " + name));
  }

  private static String id(HasMetadata o) {
    return o.getKind() + " " + o.getMetadata().getName();
  }

  @Test
  void theChartChangesExactlyTheObjectsMeshServiceWrites() {
    ClusterConnection east = ClusterConnection.plan(MESH).get(0);
    List<String> changed = new ArrayList<>();
    for (HasMetadata after : connected.get(east.member().name())) {
      HasMetadata before =
          alone.stream().filter(o -> id(o).equals(id(after))).findFirst().orElse(null);
      if (before == null
          || !Objects.equals(SERIALIZATION.asJson(before), SERIALIZATION.asJson(after))) {
        changed.add(id(after));
      }
    }

    assertThat(changed)
        .containsExactlyInAnyOrderElementsOf(
            Fabric8ClusterMeshAdapter.connectionObjects(east.remotes()).stream()
                .map(ChartConnectionTest::id)
                .toList());
  }

  @Test
  void theSecretsHoldTheChartsEtcdConfigsByteForByte() {
    for (ClusterConnection c : ClusterConnection.plan(MESH)) {
      String cluster = c.member().name();
      List<HasMetadata> ours = Fabric8ClusterMeshAdapter.connectionObjects(c.remotes());
      for (String secret : List.of("cilium-clustermesh", "cilium-kvstoremesh")) {
        assertThat(find(ours, Secret.class, secret).getData())
            .as("%s of %s", secret, cluster)
            .isEqualTo(find(connected.get(cluster), Secret.class, secret).getData())
            .containsOnlyKeys(c.remotes().stream().map(RemoteCluster::name).toList());
      }
    }
  }

  @Test
  void theHostAliasesGoOnTheClustermeshApiserverAndNotOnTheAgents() {
    for (ClusterConnection c : ClusterConnection.plan(MESH)) {
      String cluster = c.member().name();
      List<HasMetadata> chart = connected.get(cluster);
      Deployment ours =
          find(
              Fabric8ClusterMeshAdapter.connectionObjects(c.remotes()),
              Deployment.class,
              "clustermesh-apiserver");

      assertThat(ours.getSpec().getTemplate().getSpec().getHostAliases())
          .as("host aliases of the clustermesh-apiserver of %s", cluster)
          .isEqualTo(
              find(chart, Deployment.class, "clustermesh-apiserver")
                  .getSpec()
                  .getTemplate()
                  .getSpec()
                  .getHostAliases())
          .hasSize(2);
      assertThat(find(chart, DaemonSet.class, "cilium").getSpec().getTemplate().getSpec())
          .satisfies(spec -> assertThat(spec.getHostAliases()).isNullOrEmpty());
    }
  }

  @Test
  void theRemoteAndLocalCertificatesAreMountedWhereTheConfigsPoint() {
    Deployment apiserver = find(connected.get("east"), Deployment.class, "clustermesh-apiserver");
    var volume =
        apiserver.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("kvstoremesh-secrets"))
            .findFirst()
            .orElseThrow();
    var mount =
        apiserver.getSpec().getTemplate().getSpec().getContainers().stream()
            .filter(k -> k.getName().equals("kvstoremesh"))
            .flatMap(k -> k.getVolumeMounts().stream())
            .filter(m -> m.getName().equals("kvstoremesh-secrets"))
            .findFirst()
            .orElseThrow();
    RemoteCluster west = new RemoteCluster("west", "192.168.52.10", 2379);
    DaemonSet agents = find(connected.get("east"), DaemonSet.class, "cilium");
    var agentVolume =
        agents.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("clustermesh-secrets"))
            .findFirst()
            .orElseThrow();

    assertThat(mount.getMountPath() + "/").isEqualTo(RemoteCluster.CERT_DIR);
    assertThat(volume.getProjected().getSources())
        .anySatisfy(
            s -> {
              assertThat(s.getSecret().getName()).isEqualTo("clustermesh-apiserver-remote-cert");
              assertThat(s.getSecret().getItems())
                  .extracting(i -> RemoteCluster.CERT_DIR + i.getPath())
                  .containsExactlyInAnyOrder(
                      west.kvstoremeshConfig().keyFile(),
                      west.kvstoremeshConfig().certFile(),
                      west.kvstoremeshConfig().trustedCaFile());
            });

    assertThat(agentVolume.getProjected().getSources())
        .anySatisfy(
            s -> {
              assertThat(s.getSecret().getName()).isEqualTo("clustermesh-apiserver-local-cert");
              assertThat(s.getSecret().getItems())
                  .extracting(i -> RemoteCluster.CERT_DIR + i.getPath())
                  .containsExactlyInAnyOrder(
                      west.agentConfig().keyFile(),
                      west.agentConfig().certFile(),
                      west.agentConfig().trustedCaFile());
            });
  }
}
