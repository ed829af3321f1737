package io.meshorch.rke.domain;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.validation.Ipv4Block;
import java.util.List;

/**
 * Renders the RKE1 {@code cluster.yml} of one cluster: every VM a node (the first one control
 * plane, etcd and worker, the others workers), named after its VM so that Kubernetes node names
 * match the node names of the events; no CNI ({@code network.plugin: none}) because Cilium comes
 * next; the cluster's own pod and service ranges, the cluster DNS at the service range's tenth
 * address as RKE's convention has it.
 */
public final class ClusterYml {
  private ClusterYml() {}

  /**
   * The file's text.
   *
   * @param cluster the cluster's spec (name, CIDRs, SSH user)
   * @param nodes its VMs, first one control plane
   * @param sshKeyPath where rke finds the private key of the cluster's keypair
   * @param sshPort the SSH port of the nodes
   * @param addonJobTimeoutSeconds RKE's add-on job timeout (slow clouds need more)
   */
  public static String render(
      ClusterSpec cluster,
      List<NodeInfo> nodes,
      String sshKeyPath,
      int sshPort,
      int addonJobTimeoutSeconds) {
    StringBuilder y = new StringBuilder();
    y.append("# Written by rke-service for cluster ").append(cluster.name()).append(".\n");
    y.append("cluster_name: ").append(cluster.name()).append('\n');
    y.append("ssh_key_path: ").append(quote(sshKeyPath)).append('\n');
    y.append("ignore_docker_version: false\n");
    y.append("addon_job_timeout: ").append(addonJobTimeoutSeconds).append('\n');
    y.append("nodes:\n");
    for (int i = 0; i < nodes.size(); i++) {
      NodeInfo n = nodes.get(i);
      y.append("- address: ").append(n.address()).append('\n');
      y.append("  port: \"").append(sshPort).append("\"\n");
      y.append("  internal_address: ").append(n.address()).append('\n');
      y.append("  hostname_override: ").append(n.name()).append('\n');
      y.append("  user: ").append(cluster.machine().sshUser()).append('\n');
      y.append("  role: ")
          .append(i == 0 ? "[controlplane, etcd, worker]" : "[worker]")
          .append('\n');
    }
    y.append("network:\n  plugin: none\n");
    y.append("services:\n");
    y.append("  kube-api:\n    service_cluster_ip_range: ")
        .append(cluster.serviceCidr())
        .append('\n');
    y.append("  kube-controller:\n");
    y.append("    cluster_cidr: ").append(cluster.podCidr()).append('\n');
    y.append("    service_cluster_ip_range: ").append(cluster.serviceCidr()).append('\n');
    y.append("  kubelet:\n    cluster_dns_server: ")
        .append(dnsServer(cluster.serviceCidr()))
        .append('\n');
    return y.toString();
  }

  /** The cluster DNS service address: the tenth address of the service range. */
  public static String dnsServer(String serviceCidr) {
    Ipv4Block block =
        Ipv4Block.parseCidr(serviceCidr)
            .orElseThrow(() -> new IllegalArgumentException("not a CIDR: " + serviceCidr));
    return Ipv4Block.format(block.first() + 10);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
