package io.meshorch.infra.domain;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.MachineSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders the Heat template (HOT, version {@code 2018-08-31}) of one cluster: per node an {@code
 * OS::Neutron::Port} on the machine network and an {@code OS::Nova::Server} bound to it, with
 * cloud-config user data that installs Docker and mounts the BPF file system. The output {@code
 * nodes} lists every node as {@code {name, server_id, port_id, address}} in node order.
 *
 * <p>Pure and deterministic: the same cluster renders the same text. The user data holds no
 * secrets, but it is cloud-init input and never travels in an event.
 */
public final class HeatTemplate {
  /** The HOT version rendered. */
  public static final String VERSION = "2018-08-31";

  /** The output that lists the nodes. */
  public static final String NODES_OUTPUT = "nodes";

  /**
   * Cloud-init user data: Docker from the distribution, the BPF file system mounted now and at
   * every boot (Cilium also mounts it itself; mounting it here keeps older Cilium versions
   * working).
   */
  static final String USER_DATA =
      String.join(
          "\n",
          "#cloud-config",
          "package_update: true",
          "packages:",
          "  - docker.io",
          "mounts:",
          "  - [bpffs, /sys/fs/bpf, bpf, \"defaults\", \"0\", \"0\"]",
          "runcmd:",
          "  - [systemctl, enable, --now, docker]",
          "  - [sh, -c, \"mountpoint -q /sys/fs/bpf || mount bpffs /sys/fs/bpf -t bpf\"]",
          "  - [sh, -c, \"grep -q ' /sys/fs/bpf ' /etc/fstab || echo 'bpffs /sys/fs/bpf bpf"
              + " defaults 0 0' >> /etc/fstab\"]",
          "");

  private HeatTemplate() {}

  /** The template text for {@code cluster} of {@code names}' mesh. */
  public static String render(ClusterStack names, ClusterSpec cluster) {
    Objects.requireNonNull(cluster, "cluster");
    MachineSpec machine = Objects.requireNonNull(cluster.machine(), "cluster.machine");
    int count = Objects.requireNonNull(cluster.nodeCount(), "cluster.nodeCount");
    Map<String, Object> resources = new LinkedHashMap<>();
    List<Object> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String port = "port_" + i;
      String server = "node_" + i;
      String name = names.nodeName(i);
      resources.put(
          port,
          map(
              "type",
              "OS::Neutron::Port",
              "properties",
              map("name", name + "-port", "network", machine.network())));
      resources.put(
          server,
          map(
              "type",
              "OS::Nova::Server",
              "properties",
              serverProperties(names, machine, name, port, i == 0 ? "controlplane" : "worker")));
      nodes.add(
          map(
              "name",
              name,
              "server_id",
              map("get_resource", server),
              "port_id",
              map("get_resource", port),
              "address",
              map("get_attr", List.of(port, "fixed_ips", 0, "ip_address"))));
    }
    Map<String, Object> template = new LinkedHashMap<>();
    template.put("heat_template_version", VERSION);
    template.put(
        "description",
        "Cluster " + names.cluster() + " of mesh " + names.meshId() + " (" + count + " nodes)");
    template.put("resources", resources);
    template.put(
        "outputs",
        map(
            NODES_OUTPUT,
            map(
                "description",
                "The nodes in order: name, server_id, port_id, address",
                "value",
                nodes)));
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setWidth(120);
    return new Yaml(options).dump(template);
  }

  private static Map<String, Object> serverProperties(
      ClusterStack names, MachineSpec machine, String name, String port, String role) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("name", name);
    props.put("image", machine.image());
    props.put("flavor", machine.flavor());
    props.put("key_name", machine.keyName());
    props.put("networks", List.of(map("port", map("get_resource", port))));
    props.put("user_data_format", "RAW");
    props.put("user_data", USER_DATA);
    props.put("metadata", map("mesh", names.meshId(), "cluster", names.cluster(), "role", role));
    return props;
  }

  private static Map<String, Object> map(Object... keyValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      out.put((String) keyValues[i], keyValues[i + 1]);
    }
    return out;
  }
}
