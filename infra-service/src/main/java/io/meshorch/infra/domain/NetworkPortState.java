package io.meshorch.infra.domain;

import java.util.List;

/**
 * A Neutron port as far as address pairs are concerned, as read at one revision.
 *
 * @param id the port ID
 * @param macAddress the port's MAC
 * @param allowedAddressPairs the pairs the port allows today, in Neutron's order
 * @param revisionNumber Neutron's {@code revision_number} when read: an update constrained to it
 *     fails if another writer changed the port since
 */
public record NetworkPortState(
    String id, String macAddress, List<AddressPair> allowedAddressPairs, long revisionNumber) {
  public NetworkPortState {
    allowedAddressPairs = List.copyOf(allowedAddressPairs);
  }
}
