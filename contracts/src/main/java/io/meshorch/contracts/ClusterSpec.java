package io.meshorch.contracts;

/**
 * The desired shape of one cluster of a mesh, as requested by the user. It travels with every
 * per-cluster event so that each service can act on it alone (event-carried state).
 *
 * <p>Fields are nullable on the wire so that a request with missing fields can be rejected with
 * every problem named; {@code MeshRequestValidator} enforces the rules before anything is built.
 *
 * @param name Cilium cluster name: at most 32 chars, lowercase letters, digits and '-', starting
 *     and ending with a letter or digit, not {@code default}; unique in the mesh
 * @param id Cilium cluster ID, 1..255, unique in the mesh
 * @param nodeCount number of VMs (Kubernetes nodes), 1..100; the first one is control plane
 * @param podCidr IPv4 CIDR of the pods of this cluster; disjoint from every other CIDR of the mesh
 * @param serviceCidr IPv4 CIDR of the Kubernetes services of this cluster; disjoint likewise
 * @param lbAddressPool the MetalLB layer-2 pool, a CIDR ({@code 192.168.50.16/28}) or a range
 *     ({@code 192.168.50.10-192.168.50.19}); disjoint from the pools of the other clusters
 * @param machine the OpenStack image, flavor, network and keypair of the cluster's VMs
 * @param kubernetes optional: the Kubernetes distribution and version of this cluster; null: the
 *     mesh's ({@link MeshRequested#kubernetes()}), else RKE1 at rke-service's configured version.
 *     infra-service fills in the mesh's default, so the per-cluster events after {@code
 *     MeshRequested} carry the effective value (or null for the RKE1 default)
 */
public record ClusterSpec(
    String name,
    Integer id,
    Integer nodeCount,
    String podCidr,
    String serviceCidr,
    String lbAddressPool,
    MachineSpec machine,
    KubernetesSpec kubernetes) {

  /** A cluster with the default Kubernetes (see {@code kubernetes}). */
  public ClusterSpec(
      String name,
      Integer id,
      Integer nodeCount,
      String podCidr,
      String serviceCidr,
      String lbAddressPool,
      MachineSpec machine) {
    this(name, id, nodeCount, podCidr, serviceCidr, lbAddressPool, machine, null);
  }
}
