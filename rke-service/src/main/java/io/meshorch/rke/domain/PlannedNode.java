package io.meshorch.rke.domain;

import java.util.List;

/**
 * One node as the Kubernetes deployer sees it.
 *
 * @param name the Kubernetes node name ({@code hostname_override}), the VM name
 * @param address where the deployer connects over SSH; also the node's InternalIP
 * @param roles RKE roles, a subset of controlplane, etcd, worker
 */
public record PlannedNode(String name, String address, List<String> roles) {
  /** The roles of the first node: it carries the control plane and etcd. */
  public static final List<String> FIRST_NODE_ROLES = List.of("controlplane", "etcd", "worker");

  /** The roles of every further node. */
  public static final List<String> OTHER_NODE_ROLES = List.of("worker");

  public PlannedNode {
    if (name == null || name.isBlank()) {
      throw new InvalidPlanException("nodes[].name must not be blank");
    }
    if (address == null || address.isBlank()) {
      throw new InvalidPlanException("nodes[].address of node " + name + " must not be blank");
    }
    roles = List.copyOf(roles);
  }

  /** The roles of the node at {@code index} (0-based) in the event's node list. */
  public static List<String> rolesFor(int index) {
    return index == 0 ? FIRST_NODE_ROLES : OTHER_NODE_ROLES;
  }
}
