package io.meshorch.rke.domain;

import static org.assertj.core.api.Assertions.assertThat;

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

class ClusterYmlTest {
  @TempDir Path dir;

  private static final ClusterSpec EAST = Samples.cluster("east", 1, 3);
  private static final List<NodeInfo> NODES = Samples.nodes("demo", EAST);

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String yaml) {
    return (Map<String, Object>) new Yaml().load(yaml);
  }

  @Test
  @SuppressWarnings("unchecked")
  void describesANoCniClusterWithTheClustersOwnRanges() {
    Map<String, Object> file = parse(ClusterYml.render(EAST, NODES, "/keys/id", 22, 120));

    assertThat(file)
        .containsEntry("cluster_name", "east")
        .containsEntry("ssh_key_path", "/keys/id");
    assertThat((Map<String, Object>) file.get("network")).containsEntry("plugin", "none");
    Map<String, Map<String, Object>> services =
        (Map<String, Map<String, Object>>) file.get("services");
    assertThat(services.get("kube-controller"))
        .containsEntry("cluster_cidr", EAST.podCidr())
        .containsEntry("service_cluster_ip_range", EAST.serviceCidr());
    assertThat(services.get("kube-api"))
        .containsEntry("service_cluster_ip_range", EAST.serviceCidr());
  }

  @Test
  @SuppressWarnings("unchecked")
  void makesTheFirstNodeTheControlPlaneAndNamesNodesAfterTheirVms() {
    List<Map<String, Object>> nodes =
        (List<Map<String, Object>>)
            parse(ClusterYml.render(EAST, NODES, "/keys/id", 2222, 120)).get("nodes");

    assertThat(nodes).hasSize(3);
    assertThat(nodes.get(0).get("role")).isEqualTo(List.of("controlplane", "etcd", "worker"));
    assertThat(nodes.subList(1, 3))
        .allSatisfy(n -> assertThat(n.get("role")).isEqualTo(List.of("worker")));
    assertThat(nodes)
        .extracting(n -> n.get("hostname_override"))
        .containsExactlyElementsOf(NODES.stream().map(NodeInfo::name).toList());
    assertThat(nodes)
        .allSatisfy(
            n -> assertThat(n).containsEntry("port", "2222").containsEntry("user", "ubuntu"));
  }

  @ParameterizedTest(name = "service range {0} puts the cluster DNS at {1}")
  @CsvSource({
    "10.43.0.0/16, 10.43.0.10",
    "10.201.0.0/16, 10.201.0.10",
    "172.20.8.0/22, 172.20.8.10"
  })
  void putsTheClusterDnsAtTheTenthServiceAddress(String range, String dns) {
    assertThat(ClusterYml.dnsServer(range)).isEqualTo(dns);
  }

  @Test
  void isAcceptedByTheValidationRkeUpApplies() throws Exception {
    Path key = Files.writeString(dir.resolve("id"), "key");
    String yaml = ClusterYml.render(EAST, NODES, key.toString(), 22, 120);

    io.meshorch.sandbox.kube.ClusterYml checked =
        io.meshorch.sandbox.kube.ClusterYml.parse(yaml, dir);

    assertThat(checked.clusterName()).isEqualTo("east");
    assertThat(checked.podCidr()).isEqualTo(EAST.podCidr());
  }
}
