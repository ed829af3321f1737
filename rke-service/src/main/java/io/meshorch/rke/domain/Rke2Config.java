package io.meshorch.rke.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders RKE2's {@code /etc/rancher/rke2/config.yaml} for one node of a {@link ClusterPlan}: no
 * CNI ({@code cni: none}, Cilium comes next), the cluster's pod and service ranges, the DNS service
 * at the service range's base + 10, the node's name and address, the API server certificate valid
 * for the first node's address ({@code tls-san}: what the rewritten kubeconfig points at) and the
 * join token; every node but the first joins it at {@code server: https://<first>:9345}, RKE2's
 * supervisor port. Deterministic: the same plan, node and token always give the same text, so an
 * unchanged file tells a re-run that nothing needs a restart.
 *
 * <p>The text holds the join token: never log it.
 */
public final class Rke2Config {
  /** RKE2's supervisor (registration) port on the server nodes. */
  public static final int SUPERVISOR_PORT = 9345;

  /** The Kubernetes API port of the server nodes (as RKE1's). */
  public static final int API_PORT = 6443;

  /** Where RKE2 reads its configuration. */
  public static final String PATH = "/etc/rancher/rke2/config.yaml";

  private Rke2Config() {}

  /** The config.yaml text of node {@code index} (0: the server) of {@code plan}. */
  public static String render(ClusterPlan plan, int index, String token) {
    PlannedNode node = plan.nodes().get(index);
    String first = plan.nodes().get(0).address();
    Map<String, Object> root = new LinkedHashMap<>();
    if (index > 0) {
      root.put("server", "https://" + first + ":" + SUPERVISOR_PORT);
    }
    root.put("token", token);
    root.put("node-name", node.name());
    root.put("node-ip", node.address());
    if (index == 0) {
      root.put("cni", "none");
      root.put("cluster-cidr", plan.podCidr());
      root.put("service-cidr", plan.serviceCidr());
      root.put("cluster-dns", plan.clusterDnsServer());
      List<String> sans = new ArrayList<>();
      sans.add(first);
      root.put("tls-san", sans);
      root.put("write-kubeconfig-mode", "0600");
    }
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return "# Written by rke-service for mesh "
        + plan.meshId()
        + ", cluster "
        + plan.clusterName()
        + "\n"
        + new Yaml(options).dump(root);
  }
}
