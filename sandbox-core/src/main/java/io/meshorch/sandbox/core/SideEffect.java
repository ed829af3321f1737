package io.meshorch.sandbox.core;

/**
 * A side effect the sandbox counts at its boundary, so that a restart or replay test can prove that
 * a step did not happen twice.
 */
public enum SideEffect {
  /** A {@code POST /stacks} that created a Heat stack (201). */
  HEAT_STACK_CREATED("heat-stacks-created"),
  /**
   * A {@code DELETE /stacks/{name}/{id}} that started deleting a stack (204); a DELETE of a stack
   * being deleted already or gone does not count.
   */
  HEAT_STACK_DELETED("heat-stacks-deleted"),
  /** A Neutron {@code PUT /ports/{id}} that changed the port's allowed-address-pairs. */
  PORT_PAIRS_CHANGED("port-pair-updates"),
  /** {@code rke up} invoked with a valid cluster.yml (each run, whether or not it converges). */
  RKE_UP_INVOKED("rke-up-invocations"),
  /** RKE2's install script run on a node (each run, also one that reinstalls a release). */
  RKE2_INSTALLED("rke2-installs"),
  /** A Kubernetes API server started for a cluster (a distinct cluster brought up). */
  RKE_CLUSTER_STARTED("rke-clusters-started"),
  /** DaemonSet {@code kube-system/cilium} created (a new object, not an update). */
  CILIUM_INSTALLED("cilium-installs"),
  /** Deployment {@code metallb-system/controller} created (a new object, not an update). */
  METALLB_INSTALLED("metallb-installs"),
  /** Secret {@code kube-system/cilium-clustermesh} created or its data changed. */
  MESH_CONNECTION_WRITTEN("mesh-connection-writes");

  private final String id;

  SideEffect(String id) {
    this.id = id;
  }

  /** The name in reports, e.g. {@code heat-stacks-created}. */
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }
}
