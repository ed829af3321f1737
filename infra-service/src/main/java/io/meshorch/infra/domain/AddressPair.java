package io.meshorch.infra.domain;

import java.util.Objects;

/**
 * One Neutron allowed-address-pair of a port.
 *
 * @param ipAddress an IPv4 address or CIDR the port may send from
 * @param macAddress the MAC it applies to, or null for the port's own MAC
 */
public record AddressPair(String ipAddress, String macAddress) {
  public AddressPair {
    Objects.requireNonNull(ipAddress, "ipAddress");
  }

  /** A pair for the port's own MAC. */
  public static AddressPair of(String ipAddress) {
    return new AddressPair(ipAddress, null);
  }
}
