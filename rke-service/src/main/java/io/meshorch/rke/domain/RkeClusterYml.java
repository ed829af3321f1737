package io.meshorch.rke.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders a {@link ClusterPlan} as an RKE1 {@code cluster.yml}: nodes with address, port, user,
 * roles, {@code internal_address}, {@code hostname_override} and {@code ssh_key_path}; no CNI
 * ({@code network.plugin: none}, Cilium comes next); the cluster's service range in kube-api and
 * kube-controller, its pod range as {@code cluster_cidr}, the DNS service at the service range's
 * base + 10. Deterministic: the same plan always gives the same text.
 *
 * <p>{@code ignore_docker_version: true}: the nodes run the Docker of their image's distribution
 * ({@code docker.io}, e.g. 24.0.x on Ubuntu 22.04, see infra-service's user data), whose version
 * follows the image and its updates, not the RKE release's allow-list. RKE's check compares version
 * strings only; Kubernetes 1.24+ under RKE talks to Docker through cri-dockerd, which works with
 * these versions.
 */
public final class RkeClusterYml {
  private RkeClusterYml() {}

  /** The {@code cluster.yml} text for {@code plan}. */
  public static String render(ClusterPlan plan) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("cluster_name", plan.clusterName());
    plan.pinnedKubernetesVersion().ifPresent(v -> root.put("kubernetes_version", v));
    root.put("ignore_docker_version", true);
    root.put("ssh_key_path", plan.sshKeyPath());
    List<Map<String, Object>> nodes = new ArrayList<>();
    for (PlannedNode node : plan.nodes()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("address", node.address());
      // RKE's node port is a string field.
      n.put("port", String.valueOf(plan.sshPort()));
      n.put("internal_address", node.address());
      n.put("user", plan.sshUser());
      n.put("role", node.roles());
      n.put("hostname_override", node.name());
      n.put("ssh_key_path", plan.sshKeyPath());
      nodes.add(n);
    }
    root.put("nodes", nodes);
    root.put("network", Map.of("plugin", "none"));
    Map<String, Object> services = new LinkedHashMap<>();
    services.put("kube-api", Map.of("service_cluster_ip_range", plan.serviceCidr()));
    Map<String, Object> controller = new LinkedHashMap<>();
    controller.put("cluster_cidr", plan.podCidr());
    controller.put("service_cluster_ip_range", plan.serviceCidr());
    services.put("kube-controller", controller);
    services.put("kubelet", Map.of("cluster_dns_server", plan.clusterDnsServer()));
    root.put("services", services);
    root.put("addon_job_timeout", plan.addonJobTimeoutSeconds());
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    return "# Written by rke-service for mesh "
        + plan.meshId()
        + "; regenerated on every deployment.\n"
        + new Yaml(options).dump(root);
  }
}
