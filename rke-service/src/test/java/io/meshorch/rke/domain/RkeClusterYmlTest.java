package io.meshorch.rke.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.testkit.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.yaml.snakeyaml.Yaml;

class RkeClusterYmlTest {
  @TempDir Path dir;

  private static ClusterPlan plan(ClusterSpec spec, int sshPort, String version) {
    return ClusterPlan.of(
        "demo", spec, Samples.nodes("demo", spec), sshPort, "/keys/id", version, 120);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(ClusterPlan plan) {
    return (Map<String, Object>) new Yaml().load(RkeClusterYml.render(plan));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> service(Map<String, Object> file, String name) {
    return (Map<String, Object>) ((Map<String, Object>) file.get("services")).get(name);
  }

  @ParameterizedTest(name = "{0} node(s): node {1} has roles {2}")
  @CsvSource(
      delimiter = ';',
      value = {
        "1; 0; controlplane,etcd,worker",
        "3; 0; controlplane,etcd,worker",
        "3; 1; worker",
        "3; 2; worker",
        "5; 4; worker"
      })
  @SuppressWarnings("unchecked")
  void givesTheFirstNodeTheControlPlaneAndEtcdAndTheOthersWork(int count, int index, String roles) {
    ClusterSpec spec = Samples.cluster("east", 1, count);
    List<NodeInfo> events = Samples.nodes("demo", spec);

    List<Map<String, Object>> nodes =
        (List<Map<String, Object>>) parse(plan(spec, 22, null)).get("nodes");

    assertThat(nodes).hasSize(count);
    assertThat(nodes.get(index))
        .containsEntry("role", List.of(roles.split(",")))
        .containsEntry("address", events.get(index).address())
        .containsEntry("internal_address", events.get(index).address())
        .containsEntry("hostname_override", events.get(index).name())
        .containsEntry("user", "ubuntu")
        .containsEntry("ssh_key_path", "/keys/id");
  }

  @ParameterizedTest(name = "pods {0}, services {1}: DNS at {2}")
  @CsvSource({
    "10.42.0.0/16, 10.43.0.0/16, 10.43.0.10",
    "10.101.0.0/16, 10.201.0.0/16, 10.201.0.10",
    "10.8.0.0/14, 172.20.8.0/22, 172.20.8.10",
    "192.168.0.0/17, 192.168.128.0/28, 192.168.128.10"
  })
  void putsTheClusterRangesInEveryServiceAndTheDnsAtServiceBasePlusTen(
      String pods, String services, String dns) {
    ClusterSpec spec =
        new ClusterSpec(
            "west", 2, 1, pods, services, "192.168.60.10-192.168.60.19", Samples.machine());

    Map<String, Object> file = parse(plan(spec, 22, null));

    assertThat(service(file, "kube-api")).containsEntry("service_cluster_ip_range", services);
    assertThat(service(file, "kube-controller"))
        .containsEntry("cluster_cidr", pods)
        .containsEntry("service_cluster_ip_range", services);
    assertThat(service(file, "kubelet")).containsEntry("cluster_dns_server", dns);
  }

  @Test
  @SuppressWarnings("unchecked")
  void asksForNoCniAndCarriesTheClusterWideSettings() {
    Map<String, Object> file =
        parse(plan(Samples.cluster("east", 1, 2), 2222, "v1.28.15-rancher1-1"));

    assertThat((Map<String, Object>) file.get("network")).isEqualTo(Map.of("plugin", "none"));
    assertThat(file)
        .containsEntry("cluster_name", "east")
        .containsEntry("kubernetes_version", "v1.28.15-rancher1-1")
        .containsEntry("ignore_docker_version", true)
        .containsEntry("ssh_key_path", "/keys/id")
        .containsEntry("addon_job_timeout", 120);
    assertThat((List<Map<String, Object>>) file.get("nodes"))
        .allSatisfy(n -> assertThat(n).containsEntry("port", "2222"));
  }

  @Test
  void leavesTheKubernetesVersionToRkeWhenNoneIsConfigured() {
    assertThat(parse(plan(Samples.cluster("east", 1, 1), 22, "")))
        .doesNotContainKey("kubernetes_version");
  }

  @Test
  void rendersTheSamePlanToTheSameText() {
    ClusterPlan plan = plan(Samples.cluster("east", 1, 3), 22, null);

    assertThat(RkeClusterYml.render(plan)).isEqualTo(RkeClusterYml.render(plan));
  }

  @Test
  void isAcceptedByTheChecksRkeUpApplies() throws Exception {
    Path key = Files.writeString(dir.resolve("id"), "not a real key");
    ClusterSpec spec = Samples.cluster("east", 1, 3);
    ClusterPlan plan =
        ClusterPlan.of("demo", spec, Samples.nodes("demo", spec), 22, key.toString(), null, 120);

    io.meshorch.sandbox.kube.ClusterYml checked =
        io.meshorch.sandbox.kube.ClusterYml.parse(RkeClusterYml.render(plan), dir);

    assertThat(checked.clusterName()).isEqualTo("east");
    assertThat(checked.podCidr()).isEqualTo(spec.podCidr());
    assertThat(checked.serviceCidr()).isEqualTo(spec.serviceCidr());
    assertThat(checked.nodes())
        .extracting(io.meshorch.sandbox.kube.ClusterYml.Node::name)
        .containsExactly("mesh-demo-east-node-0", "mesh-demo-east-node-1", "mesh-demo-east-node-2");
  }

  @ParameterizedTest(name = "{0}={1} is refused")
  @CsvSource({
    "meshId, ../etc, meshId",
    "cluster, East, cluster.name",
    "podCidr, 10.1.0.1/16, cluster.podCidr",
    "serviceCidr, nonsense, cluster.serviceCidr",
    "serviceCidr, 10.43.0.0/29, too small",
  })
  void refusesAPlanThatCannotDescribeACluster(String field, String value, String message) {
    ClusterSpec base = Samples.cluster("east", 1, 1);
    ClusterSpec spec =
        new ClusterSpec(
            field.equals("cluster") ? value : "east",
            1,
            1,
            field.equals("podCidr") ? value : base.podCidr(),
            field.equals("serviceCidr") ? value : base.serviceCidr(),
            base.lbAddressPool(),
            base.machine());
    String meshId = field.equals("meshId") ? value : "demo";

    assertThatThrownBy(
            () ->
                RkeClusterYml.render(
                    ClusterPlan.of(meshId, spec, Samples.nodes("demo", base), 22, "/k", null, 60)))
        .isInstanceOf(InvalidPlanException.class)
        .hasMessageContaining(message);
  }

  @Test
  void keepsTheKubeconfigUnderTheClustersDeterministicReference() {
    assertThat(plan(Samples.cluster("east", 1, 1), 22, null).kubeconfigRef())
        .isEqualTo("meshes/demo/clusters/east/kubeconfig");
  }
}
