package io.meshorch.cni.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.testkit.Samples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CiliumManifestTest {
  private static final CiliumRelease RELEASE = new CiliumRelease("1.18.2");

  private static ClusterSpec cluster(String name, Integer id, String podCidr, int nodes) {
    ClusterSpec s = Samples.cluster("x", 1, nodes);
    return new ClusterSpec(
        name, id, nodes, podCidr, s.serviceCidr(), s.lbAddressPool(), s.machine());
  }

  @ParameterizedTest
  @CsvSource({
    "east, 1,   10.101.0.0/16",
    "west, 2,   10.102.0.0/16",
    "c-255, 255, 172.16.0.0/20",
    "a, 7, 192.168.8.0/24",
  })
  void putsNameIdAndPodCidrIntoTheirConfigKeys(String name, int id, String podCidr) {
    CiliumManifest manifest = CiliumManifest.forCluster(cluster(name, id, podCidr, 1), RELEASE);

    assertThat(manifest.config())
        .containsExactly(
            entry("cluster-name", name),
            entry("cluster-id", String.valueOf(id)),
            entry("ipam", "cluster-pool"),
            entry("cluster-pool-ipv4-cidr", podCidr),
            entry("cluster-pool-ipv4-mask-size", "24"),
            entry("routing-mode", "tunnel"),
            entry("tunnel-protocol", "vxlan"),
            entry("clustermesh-config", "/var/lib/cilium/clustermesh/"),
            entry("enable-ipv4", "true"),
            entry("enable-ipv6", "false"));
    assertThat(manifest.clustermeshApiserver().args())
        .contains("--cluster-name=" + name, "--cluster-id=" + id);
  }

  @ParameterizedTest
  @CsvSource({"1.18.2", "1.16.15", "1.19.0"})
  void tagsEveryImageWithTheRelease(String version) {
    CiliumManifest manifest =
        CiliumManifest.forCluster(Samples.cluster("east", 1, 2), new CiliumRelease(version));

    assertThat(manifest.agent().image()).isEqualTo("quay.io/cilium/cilium:v" + version);
    assertThat(manifest.operator().image())
        .isEqualTo("quay.io/cilium/operator-generic:v" + version);
    assertThat(manifest.clustermeshApiserver().image())
        .isEqualTo("quay.io/cilium/clustermesh-apiserver:v" + version);
  }

  @Test
  void rendersTheAgentAsAPrivilegedHostNetworkDaemonSetMountingTheMeshConfig() {
    Workload agent = CiliumManifest.forCluster(Samples.cluster("east", 1, 2), RELEASE).agent();

    assertThat(agent.kind()).isEqualTo(Workload.Kind.DAEMON_SET);
    assertThat(agent.name()).isEqualTo("cilium");
    assertThat(agent.container()).isEqualTo("cilium-agent");
    assertThat(agent.selector()).containsExactly(entry("k8s-app", "cilium"));
    assertThat(agent.labels()).contains(entry("k8s-app", "cilium"));
    assertThat(agent.hostNetwork()).isTrue();
    assertThat(agent.privileged()).isTrue();
    assertThat(agent.tolerateAllTaints()).isTrue();
    assertThat(agent.serviceAccount()).isEqualTo("cilium");
    assertThat(agent.env())
        .containsEntry("CILIUM_CLUSTERMESH_CONFIG", "/var/lib/cilium/clustermesh/");
    assertThat(agent.fieldEnv()).containsEntry("K8S_NODE_NAME", "spec.nodeName");
    assertThat(agent.mounts())
        .anySatisfy(
            m -> {
              assertThat(m.sourceName()).isEqualTo("cilium-clustermesh");
              assertThat(m.source()).isEqualTo(Mount.Source.SECRET);
              assertThat(m.optional()).isTrue();
              assertThat(m.mountPath()).isEqualTo("/var/lib/cilium/clustermesh/");
            });
  }

  @Test
  void rendersOperatorAndMeshControlPlaneWithTheLabelsOthersSelectOn() {
    CiliumManifest manifest = CiliumManifest.forCluster(Samples.cluster("east", 1, 2), RELEASE);

    assertThat(manifest.operator().labels()).contains(entry("io.cilium/app", "operator"));
    assertThat(manifest.operator().kind()).isEqualTo(Workload.Kind.DEPLOYMENT);
    assertThat(manifest.clustermeshApiserver().selector())
        .containsExactly(entry("k8s-app", "clustermesh-apiserver"));
    assertThat(manifest.serviceAccounts())
        .containsExactly("cilium", "cilium-operator", "clustermesh-apiserver");
    assertThat(manifest.workloads())
        .extracting(Workload::name)
        .containsExactly("cilium", "cilium-operator", "clustermesh-apiserver");
  }

  @Test
  void rendersTheSameManifestEveryTime() {
    ClusterSpec east = Samples.cluster("east", 1, 2);

    assertThat(CiliumManifest.forCluster(east, RELEASE))
        .isEqualTo(CiliumManifest.forCluster(east, RELEASE));
    assertThat(CiliumManifest.forCluster(east, RELEASE).agent())
        .isEqualTo(CiliumManifest.forCluster(east, RELEASE).agent());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Default | 1 | 10.1.0.0/16 | 1 | cluster.name",
        "default | 1 | 10.1.0.0/16 | 1 | cluster.name",
        "-east | 1 | 10.1.0.0/16 | 1 | cluster.name",
        "abcdefghijklmnopqrstuvwxyz0123456 | 1 | 10.1.0.0/16 | 1 | cluster.name",
        "east | 0 | 10.1.0.0/16 | 1 | cluster.id",
        "east | 256 | 10.1.0.0/16 | 1 | cluster.id",
        "east | 1 | 10.1.0.1/16 | 1 | cluster.podCidr",
        "east | 1 | fd00::/64 | 1 | cluster.podCidr",
        "east | 1 | 10.1.0.0/25 | 1 | smaller than the /24",
        "east | 1 | 10.1.0.0/23 | 3 | holds 2 node blocks",
      })
  void rejectsSpecsCiliumCannotRunWithNamingTheField(
      String name, int id, String podCidr, int nodes, String message) {
    assertThatThrownBy(() -> CiliumManifest.forCluster(cluster(name, id, podCidr, nodes), RELEASE))
        .isInstanceOf(InvalidCiliumValuesException.class)
        .hasMessageContaining(message);
  }

  @Test
  void rejectsAVersionWithALeadingV() {
    assertThatThrownBy(() -> new CiliumRelease("v1.18.2"))
        .hasMessageContaining("mesh.cilium.version");
  }
}
