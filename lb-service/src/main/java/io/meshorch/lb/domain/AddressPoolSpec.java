package io.meshorch.lb.domain;

import io.meshorch.contracts.validation.Ipv4Block;
import java.util.List;
import java.util.Objects;

/**
 * The MetalLB layer-2 configuration of one cluster: {@code IPAddressPool} {@value #POOL_NAME} with
 * the cluster's pool and {@code L2Advertisement} {@value #L2_NAME} announcing it, both in {@link
 * MetalLbRelease#NAMESPACE}.
 *
 * @param addresses the pool's {@code spec.addresses}: one CIDR or {@code a-b} range
 * @param block the parsed pool, used to check assigned IPs
 */
public record AddressPoolSpec(List<String> addresses, Ipv4Block block) {
  /** Name of the {@code IPAddressPool}. */
  public static final String POOL_NAME = "mesh-pool";

  /** Name of the {@code L2Advertisement}. */
  public static final String L2_NAME = "mesh-l2";

  public AddressPoolSpec {
    addresses = List.copyOf(addresses);
    Objects.requireNonNull(block, "block");
  }

  /**
   * The pool of a cluster from its {@code lbAddressPool}.
   *
   * @throws InvalidLbConfigException when the pool is neither a CIDR nor an {@code a-b} range
   */
  public static AddressPoolSpec of(String lbAddressPool) {
    Ipv4Block block =
        Ipv4Block.parsePool(lbAddressPool)
            .orElseThrow(
                () ->
                    new InvalidLbConfigException(
                        "cluster.lbAddressPool must be an IPv4 CIDR or an a-b range, found '"
                            + lbAddressPool
                            + "'"));
    return new AddressPoolSpec(List.of(lbAddressPool.trim()), block);
  }

  /**
   * True when the addresses read back from the cluster are exactly the ones written. MetalLB drops
   * invalid configuration silently, so the result is checked, not the apply.
   */
  public boolean acceptedAs(List<String> readBack) {
    return readBack != null && readBack.stream().map(String::trim).toList().equals(addresses);
  }

  /** The first address of the pool, dotted quad (the one pinned when pinning is on). */
  public String firstAddress() {
    return Ipv4Block.format(block.first());
  }

  /** Whether {@code ip} may be the mesh endpoint's address. */
  public IpVerdict judge(String ip) {
    return Ipv4Block.parseAddress(ip)
        .map(a -> block.contains(a) ? IpVerdict.INSIDE_POOL : IpVerdict.OUTSIDE_POOL)
        .orElse(IpVerdict.NOT_IPV4);
  }
}
