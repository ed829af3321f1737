package io.meshorch.rke.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Names one deployment: a digest of everything that makes a deployer produce a different cluster
 * (the plan's nodes, roles, addresses, ranges, versions and SSH settings) plus the IDs of the
 * servers it ran on. Stored beside the kubeconfig once the deployment is done; a later step for the
 * same stamp finds the cluster already deployed and does not deploy it a second time, while a
 * change of plan or of servers (VMs recreated with the same names and addresses) gives another
 * stamp and a new deployment.
 */
public final class DeploymentStamp {
  private DeploymentStamp() {}

  /**
   * The stamp of deploying {@code plan} on the servers {@code serverIds} (in node order): {@code
   * sha256:<64 hex digits>}. Deterministic.
   */
  public static String of(ClusterPlan plan, List<String> serverIds) {
    StringBuilder text = new StringBuilder();
    text.append("mesh=").append(plan.meshId()).append('\n');
    text.append("cluster=").append(plan.clusterName()).append('\n');
    for (PlannedNode node : plan.nodes()) {
      text.append("node=")
          .append(node.name())
          .append('|')
          .append(node.address())
          .append('|')
          .append(String.join(",", node.roles()))
          .append('\n');
    }
    text.append("servers=").append(String.join(",", serverIds)).append('\n');
    text.append("ssh=")
        .append(plan.sshUser())
        .append('@')
        .append(plan.sshPort())
        .append('|')
        .append(plan.sshKeyPath())
        .append('\n');
    text.append("pods=").append(plan.podCidr()).append('\n');
    text.append("services=").append(plan.serviceCidr()).append('\n');
    text.append("kubernetes=").append(plan.pinnedKubernetesVersion().orElse("")).append('\n');
    text.append("addonJobTimeout=").append(plan.addonJobTimeoutSeconds()).append('\n');
    if (plan.rke2()) {
      // Only for RKE2: the stamps of RKE1 clusters deployed before the field existed stay valid.
      text.append("distribution=").append(plan.distribution()).append('\n');
    }
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(text.toString().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
