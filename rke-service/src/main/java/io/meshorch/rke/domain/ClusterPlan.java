package io.meshorch.rke.domain;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.KubernetesSpec;
import io.meshorch.contracts.NodeInfo;
import io.meshorch.contracts.validation.Ipv4Block;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything a Kubernetes deployer needs to bring up one cluster of a mesh: the nodes with their
 * roles, how to reach them over SSH (the key by path, never its content) and the cluster's address
 * blocks. Deployer-neutral: RKE1 renders it as {@code cluster.yml}, an RKE2 deployer would render
 * per-node {@code config.yaml} files from the same plan.
 *
 * @param meshId the mesh ID; a safe path segment
 * @param clusterName the cluster name; a safe path segment, also RKE's {@code cluster_name}
 * @param nodes the nodes, the first one carrying the control plane and etcd
 * @param sshUser login user on every node (a member of the docker group)
 * @param sshPort SSH port of every node
 * @param sshKeyPath absolute path of the private key file the deployer authenticates with
 * @param podCidr the pods' IPv4 CIDR ({@code cluster_cidr})
 * @param serviceCidr the services' IPv4 CIDR ({@code service_cluster_ip_range})
 * @param kubernetesVersion the Kubernetes version to install (RKE's {@code kubernetes_version}), or
 *     null for the deployer's default
 * @param addonJobTimeoutSeconds how long RKE waits for each add-on job, seconds
 * @param distribution {@value KubernetesSpec#RKE1} ({@code rke up}) or {@value KubernetesSpec#RKE2}
 *     (RKE2 over SSH): which deployer brings the cluster up
 */
public record ClusterPlan(
    String meshId,
    String clusterName,
    List<PlannedNode> nodes,
    String sshUser,
    int sshPort,
    String sshKeyPath,
    String podCidr,
    String serviceCidr,
    String kubernetesVersion,
    int addonJobTimeoutSeconds,
    String distribution) {

  private static final Pattern SEGMENT = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  /** Checks the plan's invariants, naming the field and the rule that failed. */
  public ClusterPlan {
    requireSegment("meshId", meshId);
    requireSegment("cluster.name", clusterName);
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
    if (nodes.isEmpty()) {
      throw new InvalidPlanException("nodes must hold at least one node");
    }
    if (sshUser == null || sshUser.isBlank()) {
      throw new InvalidPlanException("cluster.machine.sshUser must not be blank");
    }
    if (sshPort < 1 || sshPort > 65535) {
      throw new InvalidPlanException("ssh port must be 1..65535, found " + sshPort);
    }
    if (sshKeyPath == null || sshKeyPath.isBlank()) {
      throw new InvalidPlanException("the SSH key path (mesh.ssh.private-key-path) must be set");
    }
    requireCidr("cluster.podCidr", podCidr);
    requireCidr("cluster.serviceCidr", serviceCidr);
    if (!KubernetesSpec.RKE1.equals(distribution) && !KubernetesSpec.RKE2.equals(distribution)) {
      throw new InvalidPlanException(
          "cluster.kubernetes.distribution must be rke1 or rke2, found '" + distribution + "'");
    }
    if (addonJobTimeoutSeconds < 1) {
      throw new InvalidPlanException(
          "addon job timeout must be at least 1 s, found " + addonJobTimeoutSeconds);
    }
  }

  /** An RKE1 plan (the default distribution). */
  public ClusterPlan(
      String meshId,
      String clusterName,
      List<PlannedNode> nodes,
      String sshUser,
      int sshPort,
      String sshKeyPath,
      String podCidr,
      String serviceCidr,
      String kubernetesVersion,
      int addonJobTimeoutSeconds) {
    this(
        meshId,
        clusterName,
        nodes,
        sshUser,
        sshPort,
        sshKeyPath,
        podCidr,
        serviceCidr,
        kubernetesVersion,
        addonJobTimeoutSeconds,
        KubernetesSpec.RKE1);
  }

  /**
   * The plan for the cluster of a {@code VmsReady} event: node {@code i} gets {@link
   * PlannedNode#rolesFor(int)}, the SSH user comes from the cluster's machine spec. The
   * distribution and version come from the cluster's {@code kubernetes} (absent: RKE1); without a
   * version of its own, an RKE1 cluster gets {@code kubernetesVersion} (the configured RKE1
   * default) and an RKE2 cluster {@code null} (the RKE2 deployer's default).
   */
  public static ClusterPlan of(
      String meshId,
      ClusterSpec cluster,
      List<NodeInfo> nodes,
      int sshPort,
      String sshKeyPath,
      String kubernetesVersion,
      int addonJobTimeoutSeconds) {
    return of(
        meshId,
        cluster,
        nodes,
        sshPort,
        sshKeyPath,
        kubernetesVersion,
        null,
        addonJobTimeoutSeconds);
  }

  /**
   * As {@link #of(String, ClusterSpec, List, int, String, String, int)}, with {@code rke2Version}
   * the RKE2 release for RKE2 clusters that name none (null: the RKE2 deployer's default).
   */
  public static ClusterPlan of(
      String meshId,
      ClusterSpec cluster,
      List<NodeInfo> nodes,
      int sshPort,
      String sshKeyPath,
      String kubernetesVersion,
      String rke2Version,
      int addonJobTimeoutSeconds) {
    List<PlannedNode> planned = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      NodeInfo node = nodes.get(i);
      planned.add(new PlannedNode(node.name(), node.address(), PlannedNode.rolesFor(i)));
    }
    String user = cluster.machine() == null ? null : cluster.machine().sshUser();
    KubernetesSpec k = cluster.kubernetes();
    String distribution =
        k == null || k.distribution() == null ? KubernetesSpec.RKE1 : k.distribution();
    String version =
        k != null && k.version() != null && !k.version().isBlank()
            ? k.version()
            : KubernetesSpec.RKE1.equals(distribution) ? kubernetesVersion : rke2Version;
    return new ClusterPlan(
        meshId,
        cluster.name(),
        planned,
        user,
        sshPort,
        sshKeyPath,
        cluster.podCidr(),
        cluster.serviceCidr(),
        version == null || version.isBlank() ? null : version,
        addonJobTimeoutSeconds,
        distribution);
  }

  /**
   * Where the cluster's admin kubeconfig is kept in the secret store: {@code
   * meshes/<meshId>/clusters/<cluster>/kubeconfig}.
   */
  public String kubeconfigRef() {
    return "meshes/" + meshId + "/clusters/" + clusterName + "/kubeconfig";
  }

  /**
   * Where the {@link DeploymentStamp} of the deployment whose kubeconfig is stored lives: {@code
   * meshes/<meshId>/clusters/<cluster>/deployment}. Written after the kubeconfig, so a stamp is
   * never there without its kubeconfig.
   */
  public String deploymentRef() {
    return "meshes/" + meshId + "/clusters/" + clusterName + "/deployment";
  }

  /** True when RKE2 (over SSH) deploys this cluster rather than RKE1's {@code rke up}. */
  public boolean rke2() {
    return KubernetesSpec.RKE2.equals(distribution);
  }

  /**
   * Where the cluster's RKE2 join token lives: {@code
   * meshes/<meshId>/clusters/<cluster>/rke2-token} (generated once per cluster, never logged or
   * sent in an event).
   */
  public String rke2TokenRef() {
    return "meshes/" + meshId + "/clusters/" + clusterName + "/rke2-token";
  }

  /** The kubernetes version to pin, if any. */
  public Optional<String> pinnedKubernetesVersion() {
    return Optional.ofNullable(kubernetesVersion);
  }

  /**
   * The cluster DNS service IP: the service CIDR's base address + 10, Kubernetes' convention
   * (10.43.0.10 for 10.43.0.0/16).
   */
  public String clusterDnsServer() {
    Ipv4Block block = Ipv4Block.parseCidr(serviceCidr).orElseThrow();
    long dns = block.first() + 10;
    if (!block.contains(dns)) {
      throw new InvalidPlanException(
          "cluster.serviceCidr " + serviceCidr + " is too small to hold the DNS service at .10");
    }
    return Ipv4Block.format(dns);
  }

  private static void requireSegment(String field, String value) {
    if (value == null || !SEGMENT.matcher(value).matches()) {
      throw new InvalidPlanException(
          field
              + " must be lowercase letters, digits and '-' (a path segment), found '"
              + value
              + "'");
    }
  }

  private static void requireCidr(String field, String value) {
    if (Ipv4Block.parseCidr(value).isEmpty()) {
      throw new InvalidPlanException(field + " must be an IPv4 CIDR, found '" + value + "'");
    }
  }
}
