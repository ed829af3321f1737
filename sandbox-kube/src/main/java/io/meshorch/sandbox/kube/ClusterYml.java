package io.meshorch.sandbox.kube;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * An RKE1 {@code cluster.yml}, checked the way {@code rke up} checks it before touching a node.
 *
 * @param clusterName {@code cluster_name} (RKE's default is {@code local})
 * @param nodes the nodes, in file order
 * @param podCidr {@code services.kube-controller.cluster_cidr}
 * @param serviceCidr {@code services.kube-api.service_cluster_ip_range}
 * @param dnsServer {@code services.kubelet.cluster_dns_server}
 */
public record ClusterYml(
    String clusterName, List<Node> nodes, String podCidr, String serviceCidr, String dnsServer) {

  /**
   * One node of the file.
   *
   * @param name the Kubernetes node name ({@code hostname_override}, else the address)
   * @param address where RKE connects
   * @param internalAddress the InternalIP
   * @param roles controlplane, etcd, worker
   * @param user the SSH user RKE logs in as ({@code user})
   * @param port the SSH port ({@code port}, default 22)
   * @param sshKeyPath the private key RKE logs in with ({@code ssh_key_path} of the node, else of
   *     the file), resolved
   */
  public record Node(
      String name,
      String address,
      String internalAddress,
      List<String> roles,
      String user,
      int port,
      Path sshKeyPath) {}

  /** What {@code rke up} refuses, with its message. */
  public static final class Invalid extends RuntimeException {
    public Invalid(String message) {
      super(message);
    }
  }

  private static final Set<String> ROLES = Set.of("controlplane", "etcd", "worker");

  /** Parses and validates; relative {@code ssh_key_path}s resolve against {@code dir}. */
  @SuppressWarnings("unchecked")
  public static ClusterYml parse(String yaml, Path dir) {
    Object root;
    try {
      root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    } catch (YAMLException e) {
      throw new Invalid("Failed to unmarshal the cluster file: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?>)) {
      throw new Invalid("Failed to unmarshal the cluster file: not a mapping");
    }
    Map<String, Object> file = (Map<String, Object>) root;
    Object rawNodes = file.get("nodes");
    if (!(rawNodes instanceof List<?> list) || list.isEmpty()) {
      throw new Invalid(
          "Cluster must have at least one etcd plane host: please specify one or more etcd in cluster config (nodes)");
    }
    String topKey = Objects.toString(file.get("ssh_key_path"), null);
    List<Node> nodes = new ArrayList<>();
    Set<String> addresses = new HashSet<>();
    boolean controlplane = false;
    boolean etcd = false;
    for (int i = 0; i < list.size(); i++) {
      String field = "nodes[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?>)) {
        throw new Invalid("Failed to unmarshal the cluster file: " + field + " is not a mapping");
      }
      Map<String, Object> n = (Map<String, Object>) list.get(i);
      String address = str(n.get("address"));
      if (address == null) {
        throw new Invalid(
            "Address for host (" + (i + 1) + ") is not provided (" + field + ".address)");
      }
      if (!addresses.add(address)) {
        throw new Invalid(
            "Cluster can't have duplicate node: " + address + " (" + field + ".address)");
      }
      if (str(n.get("user")) == null) {
        throw new Invalid("User for host (" + (i + 1) + ") is not provided (" + field + ".user)");
      }
      List<String> roles =
          n.get("role") instanceof List<?> r ? r.stream().map(String::valueOf).toList() : List.of();
      if (roles.isEmpty()) {
        throw new Invalid("Role for host (" + (i + 1) + ") is not provided (" + field + ".role)");
      }
      for (String role : roles) {
        if (!ROLES.contains(role)) {
          throw new Invalid(
              "Role ["
                  + role
                  + "] for host ("
                  + (i + 1)
                  + ") is not recognized ("
                  + field
                  + ".role: one of controlplane, etcd, worker)");
        }
      }
      controlplane |= roles.contains("controlplane");
      etcd |= roles.contains("etcd");
      String key = str(n.get("ssh_key_path")) != null ? str(n.get("ssh_key_path")) : topKey;
      Path keyPath =
          key == null ? null : dir.resolve(key.replaceFirst("^~", System.getProperty("user.home")));
      if (keyPath == null || !Files.isReadable(keyPath)) {
        throw new Invalid(
            "Failed to parse the private key of host ["
                + address
                + "]: "
                + field
                + ".ssh_key_path '"
                + key
                + "' is not a readable file");
      }
      String internal =
          str(n.get("internal_address")) == null ? address : str(n.get("internal_address"));
      String name =
          str(n.get("hostname_override")) == null ? address : str(n.get("hostname_override"));
      String port = str(n.get("port")) == null ? "22" : str(n.get("port"));
      if (!port.matches("\\d{1,5}")
          || Integer.parseInt(port) < 1
          || Integer.parseInt(port) > 65535) {
        throw new Invalid(
            "Port for host (" + (i + 1) + ") is not valid: " + port + " (" + field + ".port)");
      }
      nodes.add(
          new Node(
              name,
              address,
              internal,
              roles,
              str(n.get("user")),
              Integer.parseInt(port),
              keyPath.toAbsolutePath().normalize()));
    }
    if (!controlplane) {
      throw new Invalid(
          "Cluster must have at least one control plane host: please specify one or more control plane in cluster config (nodes[].role)");
    }
    if (!etcd) {
      throw new Invalid(
          "Cluster must have at least one etcd plane host: please specify one or more etcd in cluster config (nodes[].role)");
    }
    Map<String, Object> network =
        file.get("network") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    String plugin = str(network.get("plugin"));
    if (!"none".equals(plugin)) {
      throw new Invalid(
          "network.plugin ["
              + plugin
              + "] is not supported by the sandbox: it supports only 'none' (the CNI is installed afterwards)");
    }
    Map<String, Object> services =
        file.get("services") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    String podCidr = service(services, "kube-controller", "cluster_cidr", "10.42.0.0/16");
    String serviceCidr = service(services, "kube-api", "service_cluster_ip_range", "10.43.0.0/16");
    String controllerRange =
        service(services, "kube-controller", "service_cluster_ip_range", serviceCidr);
    String dns = service(services, "kubelet", "cluster_dns_server", null);
    long[] pods = cidr("services.kube-controller.cluster_cidr", podCidr);
    long[] svc = cidr("services.kube-api.service_cluster_ip_range", serviceCidr);
    if (!controllerRange.equals(serviceCidr)) {
      throw new Invalid(
          "services.kube-controller.service_cluster_ip_range ["
              + controllerRange
              + "] must equal services.kube-api.service_cluster_ip_range ["
              + serviceCidr
              + "]");
    }
    if (pods[0] <= svc[1] && svc[0] <= pods[1]) {
      throw new Invalid(
          "services.kube-controller.cluster_cidr ["
              + podCidr
              + "] overlaps the service range ["
              + serviceCidr
              + "]");
    }
    if (dns != null) {
      long ip = address("services.kubelet.cluster_dns_server", dns);
      if (ip < svc[0] || ip > svc[1]) {
        throw new Invalid(
            "services.kubelet.cluster_dns_server ["
                + dns
                + "] is not inside the service range ["
                + serviceCidr
                + "]");
      }
    }
    String clusterName =
        str(file.get("cluster_name")) == null ? "local" : str(file.get("cluster_name"));
    return new ClusterYml(clusterName, List.copyOf(nodes), podCidr, serviceCidr, dns);
  }

  /** The same file with only {@code kept} of its nodes (RKE drops the hosts it cannot reach). */
  public ClusterYml withNodes(List<Node> kept) {
    return new ClusterYml(clusterName, List.copyOf(kept), podCidr, serviceCidr, dnsServer);
  }

  /** The first control-plane node's address: a cluster's identity in the sandbox. */
  public String identity() {
    return nodes.stream()
        .filter(n -> n.roles().contains("controlplane"))
        .findFirst()
        .orElseThrow()
        .address();
  }

  @SuppressWarnings("unchecked")
  private static String service(
      Map<String, Object> services, String service, String key, String def) {
    Object s = services.get(service);
    Object v = s instanceof Map<?, ?> m ? ((Map<String, Object>) m).get(key) : null;
    return v == null ? def : String.valueOf(v);
  }

  private static String str(Object o) {
    return o == null || String.valueOf(o).isBlank() ? null : String.valueOf(o);
  }

  private static long[] cidr(String field, String text) {
    String[] parts = text.split("/");
    if (parts.length != 2 || !parts[1].matches("\\d{1,2}") || Integer.parseInt(parts[1]) > 32) {
      throw new Invalid(field + " [" + text + "] is not a valid CIDR");
    }
    long base = address(field, parts[0]);
    long size = 1L << (32 - Integer.parseInt(parts[1]));
    if (base % size != 0) {
      throw new Invalid(field + " [" + text + "] is not a valid CIDR: host bits set");
    }
    return new long[] {base, base + size - 1};
  }

  static long address(String field, String text) {
    String[] octets = text.split("\\.");
    if (octets.length != 4) {
      throw new Invalid(field + " [" + text + "] is not a valid IPv4 address");
    }
    long value = 0;
    for (String o : octets) {
      if (!o.matches("\\d{1,3}") || Integer.parseInt(o) > 255) {
        throw new Invalid(field + " [" + text + "] is not a valid IPv4 address");
      }
      value = (value << 8) | Integer.parseInt(o);
    }
    return value;
  }

  static String format(long a) {
    return ((a >> 24) & 255) + "." + ((a >> 16) & 255) + "." + ((a >> 8) & 255) + "." + (a & 255);
  }
}
