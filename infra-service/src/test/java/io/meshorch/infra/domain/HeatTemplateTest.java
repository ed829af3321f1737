package io.meshorch.infra.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.MachineSpec;
import io.meshorch.testkit.Samples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    assertThat(resources).hasSize(2 * nodes + 1);
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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cloudConfig(String userData) {
    assertThat(userData).startsWith("#cloud-config\n");
    return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(userData);
  }

  @Test
  void userDataInstallsDockerAddsTheSshUserToTheDockerGroupAndMountsBpffsSharedAndPersistently() {
    Map<String, Object> server = at(render(1), "resources", "node_0", "properties");
    Map<String, Object> config = cloudConfig(server.get("user_data").toString());

    assertThat(config.get("packages")).isEqualTo(List.of("docker.io"));
    assertThat(config.get("runcmd"))
        .isEqualTo(
            List.of(
                List.of("systemctl", "enable", "--now", "docker"),
                List.of("usermod", "-aG", "docker", "ubuntu")));
    assertThat(config.get("mounts"))
        .isEqualTo(List.of(List.of("bpffs", "/sys/fs/bpf", "bpf", "defaults", "0", "0")));
    assertThat(config.get("bootcmd"))
        .isEqualTo(
            List.of(
                List.of("sh", "-c", "mountpoint -q /sys/fs/bpf || mount -t bpf bpffs /sys/fs/bpf"),
                List.of("mount", "--make-shared", "/sys/fs/bpf")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void anSshUserThatSlippedPastValidationStaysOneArgumentOfUsermod() {
    Map<String, Object> config = cloudConfig(CloudConfig.render("root\nruncmd: [reboot]"));

    assertThat(config)
        .containsOnlyKeys("package_update", "packages", "mounts", "bootcmd", "runcmd");
    assertThat((List<Object>) config.get("runcmd"))
        .last()
        .isEqualTo(List.of("usermod", "-aG", "docker", "root\nruncmd: [reboot]"));
  }

  @Test
  void usesTheOperatorsUserDataAsIsWhenGiven() {
    String own = "#cloud-config\npackages: [docker-ce]\n";
    Map<String, Object> t =
        parse(
            HeatTemplate.render(
                NAMES,
                Samples.cluster("east", 1, 1),
                new StackInputs(own, List.of("192.168.0.0/24"), List.of())));

    assertThat(at(t, "resources", "node_0", "properties")).containsEntry("user_data", own);
  }

  @Test
  @SuppressWarnings("unchecked")
  void opensTheMeshPortsToEveryNodeNetworkAndSshAndTheApiToTheOrchestrator() {
    Map<String, Object> t =
        parse(
            HeatTemplate.render(
                NAMES,
                Samples.cluster("east", 1, 2),
                new StackInputs(
                    "#cloud-config\n",
                    List.of("192.168.0.0/24", "192.168.1.0/24"),
                    List.of("10.9.0.0/16"))));
    Map<String, Object> group = at(t, "resources", "security_group");
    List<Map<String, Object>> rules =
        (List<Map<String, Object>>) at(group, "properties").get("rules");

    assertThat(group).containsEntry("type", "OS::Neutron::SecurityGroup");
    assertThat(at(group, "properties")).containsEntry("name", "mesh-m1-east-nodes");
    assertThat(rules.get(0))
        .isEqualTo(
            Map.of("direction", "ingress", "ethertype", "IPv4", "remote_mode", "remote_group_id"));
    for (String cidr : List.of("192.168.0.0/24", "192.168.1.0/24")) {
      for (int port : List.of(22, 6443, 2379, 4240, 7946, 10250)) {
        assertThat(rules).anySatisfy(r -> assertOpens(r, "tcp", port, cidr));
      }
      for (int port : List.of(8472, 7946)) {
        assertThat(rules).anySatisfy(r -> assertOpens(r, "udp", port, cidr));
      }
      assertThat(rules)
          .anySatisfy(
              r ->
                  assertThat(r)
                      .containsEntry("protocol", "icmp")
                      .containsEntry("remote_ip_prefix", cidr));
    }
    List<Map<String, Object>> fromOrchestrator =
        rules.stream().filter(r -> "10.9.0.0/16".equals(r.get("remote_ip_prefix"))).toList();
    assertThat(fromOrchestrator).extracting(r -> r.get("port_range_min")).containsExactly(22, 6443);
    assertThat(rules).noneMatch(r -> "egress".equals(r.get("direction")));
    for (int i = 0; i < 2; i++) {
      assertThat(at(t, "resources", "port_" + i, "properties"))
          .containsEntry("security_groups", List.of(Map.of("get_resource", "security_group")));
    }
  }

  private static void assertOpens(
      Map<String, Object> rule, String protocol, int port, String cidr) {
    assertThat(rule)
        .containsEntry("direction", "ingress")
        .containsEntry("protocol", protocol)
        .containsEntry("port_range_min", port)
        .containsEntry("port_range_max", port)
        .containsEntry("remote_ip_prefix", cidr);
  }

  @Test
  void putsThePortsInTheNamedGroupsAndCreatesNoneWhenTheMeshFileNamesSome() {
    ClusterSpec base = Samples.cluster("east", 1, 2);
    MachineSpec m = base.machine();
    ClusterSpec spec =
        new ClusterSpec(
            base.name(),
            base.id(),
            base.nodeCount(),
            base.podCidr(),
            base.serviceCidr(),
            base.lbAddressPool(),
            new MachineSpec(
                m.image(),
                m.flavor(),
                m.network(),
                m.keyName(),
                m.sshUser(),
                List.of("mesh-nodes", "ssh-from-bastion")));
    Map<String, Object> t =
        parse(
            HeatTemplate.render(
                NAMES, spec, new StackInputs("#cloud-config\n", List.of(), List.of())));

    assertThat(at(t, "resources")).doesNotContainKey("security_group");
    assertThat(at(t, "resources", "port_1", "properties"))
        .containsEntry("security_groups", List.of("mesh-nodes", "ssh-from-bastion"));
  }

  /**
   * The README shows the template rendered for its example; this keeps them equal. Run with {@code
   * -Dreadme.update=true} to rewrite the README's block after a change.
   */
  @Test
  void readmeShowsTheTemplateAsRendered() throws IOException {
    Path readme = Path.of("README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    String start = "<!-- rendered-template:start -->\n```yaml\n";
    String end = "```\n<!-- rendered-template:end -->";
    int from = text.indexOf(start);
    int to = text.indexOf(end);
    assertThat(from).as("README.md has the rendered-template block").isNotNegative();
    String rendered =
        HeatTemplate.render(
            new ClusterStack("demo", "east"),
            Samples.cluster("east", 1, 2),
            new StackInputs(
                CloudConfig.render("ubuntu"), List.of("192.168.0.0/24"), List.of("10.9.0.0/16")));
    if (Boolean.getBoolean("readme.update")) {
      text = text.substring(0, from + start.length()) + rendered + text.substring(to);
      Files.writeString(readme, text, StandardCharsets.UTF_8);
      to = text.indexOf(end);
    }
    assertThat(text.substring(from + start.length(), to)).isEqualTo(rendered);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parse(String template) {
    return (Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(template);
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
