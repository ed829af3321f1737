package io.meshorch.sandbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClusterYmlTest {
  @TempDir Path dir;

  private static final String VALID =
      """
      ssh_key_path: id_key
      nodes:
      - {address: 10.0.0.5, user: ubuntu, role: [controlplane, etcd]}
      - {address: 10.0.0.6, internal_address: 192.168.0.6, hostname_override: w1, user: ubuntu, role: [worker]}
      network: {plugin: none}
      """;

  @BeforeEach
  void key() throws Exception {
    Files.writeString(dir.resolve("id_key"), "key");
  }

  @Test
  void appliesRkeDefaultsAndNamesNodesLikeRke() {
    ClusterYml spec = ClusterYml.parse(VALID, dir);

    assertThat(spec.clusterName()).isEqualTo("local");
    assertThat(spec.podCidr()).isEqualTo("10.42.0.0/16");
    assertThat(spec.serviceCidr()).isEqualTo("10.43.0.0/16");
    assertThat(spec.identity()).isEqualTo("10.0.0.5");
    assertThat(spec.nodes())
        .extracting(ClusterYml.Node::name, ClusterYml.Node::internalAddress)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("10.0.0.5", "10.0.0.5"),
            org.assertj.core.groups.Tuple.tuple("w1", "192.168.0.6"));
  }

  @ParameterizedTest(name = "{2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "address: 10.0.0.6|address: 10.0.0.5|duplicate node",
        "role: [controlplane, etcd]|role: [controlplane]|etcd plane host",
        "role: [controlplane, etcd]|role: [etcd, master]|nodes[0].role",
        "ssh_key_path: id_key|ssh_key_path: missing_key|nodes[0].ssh_key_path",
        "user: ubuntu, role: [worker]|role: [worker]|nodes[1].user",
        "plugin: none|plugin: calico|network.plugin [calico]",
      })
  void refusesWhatRkeRefuses(String from, String to, String message) {
    assertThatThrownBy(() -> ClusterYml.parse(VALID.replace(from, to), dir))
        .isInstanceOf(ClusterYml.Invalid.class)
        .hasMessageContaining(message);
  }

  @Test
  void refusesAServiceRangeThatIsNotACidr() {
    String yml = VALID + "services:\n  kube-api: {service_cluster_ip_range: 10.43.0.1/16}\n";

    assertThatThrownBy(() -> ClusterYml.parse(yml, dir))
        .hasMessageContaining("services.kube-api.service_cluster_ip_range [10.43.0.1/16]");
  }

  @Test
  void refusesAnEmptyNodeList() {
    assertThatThrownBy(() -> ClusterYml.parse("nodes: []\nnetwork: {plugin: none}\n", dir))
        .hasMessageContaining("nodes");
  }
}
