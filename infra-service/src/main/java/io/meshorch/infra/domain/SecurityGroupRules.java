package io.meshorch.infra.domain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of a cluster's Neutron security group ({@code OS::Neutron::SecurityGroup}), ingress
 * only (Heat keeps Neutron's default allow-all egress when a template lists no egress rule):
 *
 * <ul>
 *   <li>from the group itself (the nodes of the same cluster): everything, since RKE's node-to-node
 *       list is long (etcd 2379-2380, kubelet, NodePorts, webhooks) and the nodes of one cluster
 *       trust each other;
 *   <li>from each node network of the mesh (the CIDRs of the subnets of every cluster's {@code
 *       machine.network}): what the mesh needs between clusters, {@link #MESH_TCP} and {@link
 *       #MESH_UDP} and ICMP. A prefix rather than the other clusters' groups: each cluster's stack
 *       is created at the same time as the others, so no stack can name another's group, and a node
 *       network holds only what the operator put on it;
 *   <li>from each orchestrator CIDR ({@code mesh.vms.orchestrator-cidrs}): SSH for rke-service and
 *       6443 for the services that use the Kubernetes API. Empty by default, for an orchestrator
 *       inside a node network (covered above).
 * </ul>
 */
public final class SecurityGroupRules {
  /**
   * TCP ports opened between the nodes of all clusters: SSH, the Kubernetes API, the mesh endpoint
   * (clustermesh-apiserver), Cilium health, MetalLB memberlist, the kubelet.
   */
  public static final List<Integer> MESH_TCP = List.of(22, 6443, 2379, 4240, 7946, 10250);

  /** UDP ports opened between the nodes of all clusters: VXLAN, MetalLB memberlist. */
  public static final List<Integer> MESH_UDP = List.of(8472, 7946);

  /** TCP ports opened from the orchestrator: SSH (rke-service), the Kubernetes API. */
  public static final List<Integer> ORCHESTRATOR_TCP = List.of(22, 6443);

  private SecurityGroupRules() {}

  /** The rules, in a stable order, as HOT's {@code rules} property wants them. */
  public static List<Map<String, Object>> of(
      List<String> nodeCidrs, List<String> orchestratorCidrs) {
    List<Map<String, Object>> rules = new ArrayList<>();
    Map<String, Object> self = new LinkedHashMap<>();
    self.put("direction", "ingress");
    self.put("ethertype", "IPv4");
    self.put("remote_mode", "remote_group_id");
    rules.add(self);
    for (String cidr : nodeCidrs) {
      MESH_TCP.forEach(port -> rules.add(port(cidr, "tcp", port)));
      MESH_UDP.forEach(port -> rules.add(port(cidr, "udp", port)));
      Map<String, Object> icmp = new LinkedHashMap<>();
      icmp.put("direction", "ingress");
      icmp.put("ethertype", "IPv4");
      icmp.put("protocol", "icmp");
      icmp.put("remote_ip_prefix", cidr);
      rules.add(icmp);
    }
    for (String cidr : orchestratorCidrs) {
      ORCHESTRATOR_TCP.forEach(port -> rules.add(port(cidr, "tcp", port)));
    }
    return rules;
  }

  private static Map<String, Object> port(String cidr, String protocol, int port) {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("direction", "ingress");
    rule.put("ethertype", "IPv4");
    rule.put("protocol", protocol);
    rule.put("port_range_min", port);
    rule.put("port_range_max", port);
    rule.put("remote_mode", "remote_ip_prefix");
    rule.put("remote_ip_prefix", cidr);
    return rule;
  }
}
