package io.meshorch.infra.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.testkit.Samples;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

class HeatTemplateTest {
  private static final ClusterStack NAMES = new ClusterStack("m1", "east");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> render(int nodes) {
    ClusterSpec spec = Samples.cluster("east", 1, nodes);
    Object parsed =
        new Yaml(new SafeConstructor(new LoaderOptions())).load(HeatTemplate.render(NAMES, spec));
    return (Map<String, Object>) parsed;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> at(Map<String, Object> map, String... path) {
    Object node = map;
    for (String key : path) {
      node = ((Map<String, Object>) node).get(key);
    }
    return (Map<String, Object>) node;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5})
  void rendersOnePortAndOneServerPerNode(int nodes) {
    Map<String, Object> t = render(nodes);

    assertThat(t.get("heat_template_version").toString()).isEqualTo("2018-08-31");
    Map<String, Object> resources = at(t, "resources");
    assertThat(resources).hasSize(2 * nodes);
    for (int i = 0; i < nodes; i++) {
      assertThat(at(resources, "port_" + i)).containsEntry("type", "OS::Neutron::Port");
      assertThat(at(resources, "port_" + i, "properties")).containsEntry("network", "mesh-net");
      Map<String, Object> server = at(resources, "node_" + i, "properties");
      assertThat(at(resources, "node_" + i)).containsEntry("type", "OS::Nova::Server");
      assertThat(server)
          .containsEntry("name", "mesh-m1-east-node-" + i)
          .containsEntry("image", "ubuntu-22.04")
          .containsEntry("flavor", "m1.large")
          .containsEntry("key_name", "mesh")
          .containsEntry("networks", List.of(Map.of("port", Map.of("get_resource", "port_" + i))));
    }
  }

  @Test
  void marksNodeZeroAsControlPlaneAndTagsServersWithMeshAndCluster() {
    Map<String, Object> resources = at(render(3), "resources");

    assertThat(at(resources, "node_0", "properties", "metadata"))
        .isEqualTo(Map.of("mesh", "m1", "cluster", "east", "role", "controlplane"));
    assertThat(at(resources, "node_2", "properties", "metadata")).containsEntry("role", "worker");
  }

  @Test
  void userDataInstallsDockerAndMountsBpffsPersistently() {
    Map<String, Object> server = at(render(1), "resources", "node_0", "properties");
    String userData = server.get("user_data").toString();

    assertThat(userData).startsWith("#cloud-config\n");
    assertThat(userData).contains("docker.io", "mount bpffs /sys/fs/bpf -t bpf", "/etc/fstab");
    Object cloudConfig = new Yaml(new SafeConstructor(new LoaderOptions())).load(userData);
    assertThat(cloudConfig)
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsKeys("packages", "mounts", "runcmd");
  }

  @Test
  @SuppressWarnings("unchecked")
  void outputsEveryNodeWithItsServerPortAndAddress() {
    Map<String, Object> output = at(render(2), "outputs", "nodes");
    List<Map<String, Object>> nodes = (List<Map<String, Object>>) output.get("value");

    assertThat(nodes).hasSize(2);
    assertThat(nodes.get(1))
        .containsEntry("name", "mesh-m1-east-node-1")
        .containsEntry("server_id", Map.of("get_resource", "node_1"))
        .containsEntry("port_id", Map.of("get_resource", "port_1"))
        .containsEntry(
            "address", Map.of("get_attr", List.of("port_1", "fixed_ips", 0, "ip_address")));
  }

  @Test
  void rendersTheSameTextTwice() {
    ClusterSpec spec = Samples.cluster("east", 1, 3);

    assertThat(HeatTemplate.render(NAMES, spec)).isEqualTo(HeatTemplate.render(NAMES, spec));
  }

  @Test
  void namesFollowTheMeshConvention() {
    assertThat(NAMES.stackName()).isEqualTo("mesh-m1-east");
    assertThat(NAMES.nodeName(0)).isEqualTo("mesh-m1-east-node-0");
    assertThat(NAMES.meshTag()).isEqualTo("mesh:m1");
  }
}
