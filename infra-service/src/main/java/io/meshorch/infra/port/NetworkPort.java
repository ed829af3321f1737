package io.meshorch.infra.port;

import io.meshorch.infra.domain.AddressPair;
import io.meshorch.infra.domain.NetworkPortState;
import java.util.List;

/**
 * Neutron networks and ports. One bounded call per method (two for {@link #subnetCidrs}); failures
 * classified transient or terminal.
 */
public interface NetworkPort {

  /**
   * The CIDRs of the subnets of network {@code network} (a name or an ID), the remote prefixes of
   * the mesh's security group rules. Read-only.
   *
   * @throws io.meshorch.kit.failure.TerminalFailure with code {@code NETWORK_NOT_FOUND} when no
   *     network has that name or ID
   */
  List<String> subnetCidrs(String network);

  /**
   * The port {@code portId} with its allowed-address-pairs. Read-only.
   *
   * @throws io.meshorch.kit.failure.TerminalFailure with code {@code PORT_NOT_FOUND} when the port
   *     does not exist
   */
  NetworkPortState port(String portId);

  /**
   * Replaces the port's allowed-address-pairs with {@code pairs} (Neutron replaces, never merges),
   * sending nothing else. Idempotent: writing the same list again changes nothing but the revision.
   *
   * @throws io.meshorch.kit.failure.TerminalFailure with code {@code ADDRESS_PAIR_LIMIT} when
   *     Neutron refuses the number of pairs, naming the port
   */
  void replaceAllowedAddressPairs(String portId, List<AddressPair> pairs);
}
