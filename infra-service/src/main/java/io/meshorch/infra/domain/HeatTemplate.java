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
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Renders the Heat template (HOT, version {@code 2018-08-31}) of one cluster: a Neutron security
 * group ({@code OS::Neutron::SecurityGroup} with {@link SecurityGroupRules}, unless {@code
 * machine.securityGroups} names existing groups), per node an {@code OS::Neutron::Port} on the
 * machine network in that group (or those) and an {@code OS::Nova::Server} bound to it, with the
 * given user data ({@link CloudConfig}). The output {@code nodes} lists every node as {@code {name,
 * server_id, port_id, address}} in node order.
 *
 * <p>Built as maps and dumped with SnakeYAML, never by pasting strings. Pure and deterministic: the
 * same inputs render the same text. The user data holds no secrets, but it is cloud-init input and
 * never travels in an event.
 */
public final class HeatTemplate {
  /** The HOT version rendered. */
  public static final String VERSION = "2018-08-31";

  /** The output that lists the nodes. */
  public static final String NODES_OUTPUT = "nodes";

  /** The logical name of the cluster's own security group. */
  public static final String SECURITY_GROUP = "security_group";

  private HeatTemplate() {}

  /**
   * The template for {@code cluster} with the product's user data, and a security group open to the
   * cluster's own nodes only (no node network or orchestrator CIDR known).
   */
  public static String render(ClusterStack names, ClusterSpec cluster) {
    return render(
        names,
        cluster,
        new StackInputs(CloudConfig.render(cluster.machine().sshUser()), List.of(), List.of()));
  }

  /** The template text for {@code cluster} of {@code names}' mesh. */
  public static String render(ClusterStack names, ClusterSpec cluster, StackInputs inputs) {
    Objects.requireNonNull(cluster, "cluster");
    MachineSpec machine = Objects.requireNonNull(cluster.machine(), "cluster.machine");
    int count = Objects.requireNonNull(cluster.nodeCount(), "cluster.nodeCount");
    Map<String, Object> resources = new LinkedHashMap<>();
    List<Object> groups;
    if (machine.securityGroups() != null && !machine.securityGroups().isEmpty()) {
      groups = List.copyOf(machine.securityGroups());
    } else {
      resources.put(
          SECURITY_GROUP,
          map(
              "type",
              "OS::Neutron::SecurityGroup",
              "properties",
              map(
                  "name",
                  names.stackName() + "-nodes",
                  "description",
                  "Nodes of cluster "
                      + names.cluster()
                      + " of mesh "
                      + names.meshId()
                      + ": what the mesh needs between its nodes and from the orchestrator",
                  "rules",
                  SecurityGroupRules.of(inputs.nodeCidrs(), inputs.orchestratorCidrs()))));
      groups = List.of(map("get_resource", SECURITY_GROUP));
    }
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
              map(
                  "name",
                  name + "-port",
                  "network",
                  machine.network(),
                  "security_groups",
                  groups)));
      resources.put(
          server,
          map(
              "type",
              "OS::Nova::Server",
              "properties",
              serverProperties(
                  names,
                  machine,
                  name,
                  port,
                  i == 0 ? "controlplane" : "worker",
                  inputs.userData())));
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
    // Values shared between ports are written out in full, never as YAML anchors and aliases.
    options.setDereferenceAliases(true);
    return new Yaml(new BlockText(options), options).dump(template);
  }

  private static Map<String, Object> serverProperties(
      ClusterStack names,
      MachineSpec machine,
      String name,
      String port,
      String role,
      String userData) {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("name", name);
    props.put("image", machine.image());
    props.put("flavor", machine.flavor());
    props.put("key_name", machine.keyName());
    props.put("networks", List.of(map("port", map("get_resource", port))));
    props.put("user_data_format", "RAW");
    props.put("user_data", userData);
    props.put("metadata", map("mesh", names.meshId(), "cluster", names.cluster(), "role", role));
    return props;
  }

  /** Multi-line strings (the user data) as YAML literal blocks, so the template reads as text. */
  private static final class BlockText extends Representer {
    BlockText(DumperOptions options) {
      super(options);
      this.representers.put(
          String.class,
          data -> {
            String text = (String) data;
            return representScalar(
                Tag.STR,
                text,
                text.contains("\n") ? DumperOptions.ScalarStyle.LITERAL : defaultScalarStyle);
          });
    }
  }

  private static Map<String, Object> map(Object... keyValues) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      out.put((String) keyValues[i], keyValues[i + 1]);
    }
    return out;
  }
}
