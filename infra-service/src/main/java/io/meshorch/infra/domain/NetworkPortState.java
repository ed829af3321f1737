package io.meshorch.infra.domain;

import java.util.List;

/**
 * A Neutron port as far as address pairs are concerned.
 *
 * @param id the port ID
 * @param macAddress the port's MAC
 * @param allowedAddressPairs the pairs the port allows today, in Neutron's order
 */
public record NetworkPortState(
    String id, String macAddress, List<AddressPair> allowedAddressPairs) {
  public NetworkPortState {
    allowedAddressPairs = List.copyOf(allowedAddressPairs);
  }
}
