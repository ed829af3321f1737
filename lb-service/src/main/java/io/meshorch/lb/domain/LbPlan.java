package io.meshorch.lb.domain;

import io.meshorch.contracts.ClusterSpec;

/**
 * Everything lb-service wants in one cluster: the MetalLB release, the pool and the mesh endpoint
 * Service. Pure: derived from the cluster spec and settings only, so a replay yields the same plan.
 *
 * @param release the MetalLB release
 * @param pool the address pool and its advertisement
 * @param endpoint the LoadBalancer Service of the mesh control plane
 */
public record LbPlan(MetalLbRelease release, AddressPoolSpec pool, MeshEndpointService endpoint) {

  /**
   * The plan for {@code cluster}.
   *
   * @throws InvalidLbConfigException when the cluster's pool is missing or malformed
   */
  public static LbPlan forCluster(
      ClusterSpec cluster, MetalLbRelease release, boolean pinFirstAddress) {
    if (cluster == null || cluster.lbAddressPool() == null) {
      throw new InvalidLbConfigException("cluster.lbAddressPool is required");
    }
    AddressPoolSpec pool = AddressPoolSpec.of(cluster.lbAddressPool());
    return new LbPlan(release, pool, MeshEndpointService.forPool(pool, pinFirstAddress));
  }
}
